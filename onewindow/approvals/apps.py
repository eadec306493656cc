from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "onewindow.approvals"
    label = "approvals"
    verbose_name = _("并联审批")

    def ready(self) -> None:
        from django.core import checks

        from onewindow.lib.checks import workdays_fallback_check

        checks.register(workdays_fallback_check)
