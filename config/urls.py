from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from delegations.views import Dashboard
from relations.views import SearchPage

admin.site.site_header = _("Amity administration")
admin.site.site_title = "Amity"
admin.site.index_title = _("Relations and delegations")

# A lost database connection gets a "try again in a moment" page (503), not the 500 page.
handler500 = "relations.errors.server_error"

urlpatterns = [
    path("", Dashboard.as_view(), name="home"),
    path("search/", SearchPage.as_view(), name="search"),
    path("", include("relations.urls")),
    path("delegations/", include("delegations.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher; open to all, so the login page can switch too.
    path("i18n/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
# MEDIA_URL is deliberately not routed, not even with DEBUG on (no `static(MEDIA_URL, ...)`):
# uploads are personal and official papers, served only by permission-checking views.
