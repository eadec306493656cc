"""Self-service terminals: a signed cookie keeps a browser in kiosk mode across sign-ins and sign-outs.

The mark belongs to the terminal, not to a session: signing out ends the session, and the next
person at the terminal must still start cases on the kiosk channel and return to the kiosk page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

KIOSK_COOKIE = "onewindow_kiosk"
_SALT = "onewindow.accounts.kiosk"
# A terminal stays one until its "exit" is pressed; every visit of the kiosk page renews the mark.
_MAX_AGE_SECONDS = 365 * 24 * 3600


def kiosk_mode_on(response: HttpResponse) -> None:
    response.set_signed_cookie(
        KIOSK_COOKIE,
        "1",
        salt=_SALT,
        max_age=_MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def kiosk_mode_off(response: HttpResponse) -> None:
    response.delete_cookie(KIOSK_COOKIE, samesite="Lax")


def is_kiosk(request: HttpRequest) -> bool:
    return request.get_signed_cookie(KIOSK_COOKIE, default="", salt=_SALT) == "1"
