"""Middleware for self-service terminals: a sign-in there ends after a few minutes without a request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from onewindow.accounts.kiosk import is_kiosk, kiosk_sign_in_end_if_idle, kiosk_sign_in_renew


class KioskSignInTimeout:
    """On a terminal, ends a sign-in idle for longer than KIOSK_IDLE_SECONDS, or renews it.

    Only a terminal's requests pay for it (a session write each): elsewhere a sign-in keeps
    Django's two weeks. The page's own script (kiosk_idle.js) warns and signs out a little
    earlier; this is the rule that holds without it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_kiosk(request):
            return self.get_response(request)
        kiosk_sign_in_end_if_idle(request)
        # Pages include the terminal's warning script when this is set (templates/_kiosk_idle.html).
        request.kiosk_idle_seconds = settings.KIOSK_IDLE_SECONDS  # type: ignore[attr-defined]
        response = self.get_response(request)
        kiosk_sign_in_renew(request)
        return response
