"""Self-service terminals: a signed cookie keeps a browser in kiosk mode across sign-ins and sign-outs.

The mark belongs to the terminal, not to a session: signing out ends the session, and the next
person at the terminal must still start cases on the kiosk channel and return to the kiosk page.
It names the service centre whose staff set the terminal up: cases started there wait in that
centre's window queue, so a terminal in a township hall files with the hall, not the city centre.
A sign-in on a terminal is short: it ends when the browser closes and after KIOSK_IDLE_SECONDS
without a request (accounts/middleware.py), so the next person does not find the last one's account.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from onewindow.centers.models import ServiceCenter

KIOSK_COOKIE = "onewindow_kiosk"
_SALT = "onewindow.accounts.kiosk"
# A terminal stays one until its "exit" is pressed; every visit of the kiosk page renews the mark.
_MAX_AGE_SECONDS = 365 * 24 * 3600
# The mark names the centre by id. A terminal set up before terminals belonged to a centre has
# the mark "1": it still is one, of the municipal centre, where its cases went then.
_CENTER_MARK = re.compile(r"center:([0-9]{1,18})")
# When the terminal's sign-in last served a request (seconds since the epoch), in its session.
_LAST_SEEN_KEY = "kiosk_last_seen"


def kiosk_mode_on(response: HttpResponse, center: ServiceCenter) -> None:
    response.set_signed_cookie(
        KIOSK_COOKIE,
        f"center:{center.pk}",
        salt=_SALT,
        max_age=_MAX_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def kiosk_mode_off(response: HttpResponse) -> None:
    response.delete_cookie(KIOSK_COOKIE, samesite="Lax")


def _mark(request: HttpRequest) -> str:
    """The terminal's mark; empty when there is none or its signature does not match."""
    return request.get_signed_cookie(KIOSK_COOKIE, default="", salt=_SALT) or ""


def is_kiosk(request: HttpRequest) -> bool:
    return _mark(request) != ""


def kiosk_center(request: HttpRequest) -> ServiceCenter | None:
    """The service centre this browser is a terminal of; None if it is no terminal.

    An old mark ("1"), or one naming a centre deleted since, means the municipal centre, where
    cases.services files a case no one placed; None too if the system has no municipal centre yet.
    """
    mark = _mark(request)
    if not mark:
        return None
    named = _CENTER_MARK.fullmatch(mark)
    center = ServiceCenter.objects.filter(pk=int(named[1])).first() if named else None
    if center is None:
        center = ServiceCenter.objects.filter(kind=ServiceCenter.Kind.MUNICIPAL).order_by("code").first()
    return center


def kiosk_sign_in_end_if_idle(request: HttpRequest) -> None:
    """Signs the terminal's user out if his last request is more than KIOSK_IDLE_SECONDS ago.

    A sign-in the terminal has not timed yet (made before it became a terminal) is timed from now on.
    """
    last_seen = request.session.get(_LAST_SEEN_KEY)
    if last_seen is not None and timezone.now().timestamp() - last_seen > settings.KIOSK_IDLE_SECONDS:
        logout(request)


def kiosk_sign_in_renew(request: HttpRequest) -> None:
    """Times the terminal's sign-in from now, and makes its cookie end when the browser closes.

    Called after each request, so a sign-in made by the request itself is covered from the start.
    """
    if not request.user.is_authenticated:
        return
    request.session[_LAST_SEEN_KEY] = timezone.now().timestamp()
    request.session.set_expiry(0)
