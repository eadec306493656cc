from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensesConfig(AppConfig):
    name = "onewindow.licenses"
    label = "licenses"
    verbose_name = _("综合许可证")

    def ready(self) -> None:
        # Connects the verification cache's invalidation in every process (web, worker, shell, commands).
        from onewindow.licenses import selectors  # noqa: F401
