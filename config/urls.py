from django.contrib import admin
from django.urls import include, path

from delegations.views import Dashboard
from relations.views import SearchPage

admin.site.site_header = "Amity administration"
admin.site.site_title = "Amity"
admin.site.index_title = "Relations and delegations"

urlpatterns = [
    path("", Dashboard.as_view(), name="home"),
    path("search/", SearchPage.as_view(), name="search"),
    path("", include("relations.urls")),
    path("delegations/", include("delegations.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
# MEDIA_URL is deliberately not routed, not even with DEBUG on (no `static(MEDIA_URL, ...)`):
# uploads are personal and official papers, served only by permission-checking views.
