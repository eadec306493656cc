"""URL routes: public pages, accounts, admin and the API."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.views import ThrottledAdminAuthenticationForm
from onewindow.api import api

admin.site.site_header = _("一窗通办 · 系统管理")
admin.site.site_title = _("一窗通办")
admin.site.index_title = _("配置部门、事项、材料、表单和一业一证主题")
# The admin sign-in counts failures and honours the lock like the site's own sign-in page.
admin.site.login_form = ThrottledAdminAuthenticationForm

# A request Django could not read at all (400) answers in the API's JSON under /api/.
handler400 = "onewindow.api.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("onewindow.accounts.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("licences/", include("onewindow.licenses.urls")),
    path("inspections/", include("onewindow.inspections.urls")),
    path("", include("onewindow.cases.urls")),
    path("", include("onewindow.approvals.urls")),
    path("", include("onewindow.bundles.urls")),
    path("", include("onewindow.catalog.urls")),
]
