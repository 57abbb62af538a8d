from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Amity administration"
admin.site.site_title = "Amity"
admin.site.index_title = "Relations and delegations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Officers' pages arrive with the relations and delegations issues; until then the
    # home page is the administration.
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]
