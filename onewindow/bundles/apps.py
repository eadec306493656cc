from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BundlesConfig(AppConfig):
    name = "onewindow.bundles"
    label = "bundles"
    verbose_name = _("一业一证")

    def ready(self) -> None:
        # Connects the plan cache's invalidation in every process (web, worker, shell, commands).
        from onewindow.bundles import api  # noqa: F401
