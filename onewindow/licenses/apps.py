from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensesConfig(AppConfig):
    name = "onewindow.licenses"
    label = "licenses"
    verbose_name = _("综合许可证")
