from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElicenseConfig(AppConfig):
    name = "onewindow.integrations.elicense"
    label = "elicense"
    verbose_name = _("电子证照库（本地实现）")
