"""System checks of settings that would otherwise fail only when first used, as a page's 500.

`onewindow check` and the commands that run the checks (runserver, migrate) stop on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error

from onewindow.lib.workdays import FALLBACKS


def workdays_fallback_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """WORKDAYS_FALLBACK must name a fallback the working-day calendar knows (lib.workdays.FALLBACKS)."""
    value = settings.WORKDAYS_FALLBACK
    if value in FALLBACKS:
        return []
    return [
        Error(
            f"环境变量 WORKDAYS_FALLBACK 的值“{value}”无效：只能是 {' 或 '.join(FALLBACKS)}。",
            hint="weekends：尚未录入节假日安排的年份按周一至周五推算并提示；error：拒绝推算。",
            id="onewindow.E001",
        )
    ]
