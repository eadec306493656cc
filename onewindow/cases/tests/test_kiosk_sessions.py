"""A sign-in on a self-service terminal is short: it ends when the browser closes and after a few
idle minutes, so the next person at the terminal does not find the last one's account. Only the
centre's staff take a terminal out of kiosk mode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, Channel

pytestmark = pytest.mark.django_db

TWO_WEEKS = 14 * 24 * 3600
Clock = Callable[[float], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """clock(seconds): the time moves on that many seconds from when the test began."""
    start = timezone.now()
    now: list[datetime] = [start]
    monkeypatch.setattr(timezone, "now", lambda: now[0])

    def move_to(seconds: float) -> None:
        now[0] = start + timedelta(seconds=seconds)

    return move_to


def sign_in(browser: Client, username: str) -> str:
    """Signs in through the sign-in page, as on the terminal; returns the session cookie's max-age."""
    response = browser.post(
        reverse("accounts:login"),
        {"username": username, "password": DEMO_PASSWORD, "next": reverse("cases:kiosk")},
    )
    assert response.status_code == 302, response.content.decode()
    return str(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"])


def terminal() -> Client:
    """A browser a window clerk has set up as a self-service terminal, then signed out of."""
    browser = Client()
    sign_in(browser, "clerk")
    assert browser.post(reverse("cases:kiosk")).status_code == 302
    browser.post(reverse("accounts:logout"))
    return browser


def signed_in(browser: Client) -> bool:
    """What the next person sees: the start page names nobody, and 我的办件 asks for a sign-in."""
    start_page = browser.get(reverse("cases:kiosk")).content.decode()
    my_cases = browser.get(reverse("cases:my_cases"))
    assert ("当前用户" in start_page) == (my_cases.status_code == 200)
    return my_cases.status_code == 200


def test_a_terminal_sign_in_ends_when_the_browser_closes(alice: User) -> None:
    at_the_terminal = terminal()

    max_age = sign_in(at_the_terminal, "applicant")

    # No max-age and no expiry date: the browser forgets the cookie when it closes.
    assert max_age == ""
    assert at_the_terminal.cookies[settings.SESSION_COOKIE_NAME]["expires"] == ""
    page = at_the_terminal.get(reverse("cases:my_cases"))
    assert page.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""


def test_a_terminal_sign_in_ends_after_a_few_idle_minutes(alice: User, clock: Clock) -> None:
    idle = settings.KIOSK_IDLE_SECONDS
    at_the_terminal = terminal()
    sign_in(at_the_terminal, "applicant")

    clock(idle - 5)
    assert signed_in(at_the_terminal), "used within the limit: still signed in"
    clock(2 * idle - 10)
    assert signed_in(at_the_terminal), "each request starts the count again"

    clock(3 * idle)
    assert not signed_in(at_the_terminal)
    assert "当前用户" not in at_the_terminal.get(reverse("cases:kiosk")).content.decode()
    clock(3 * idle + 1)
    assert not signed_in(at_the_terminal), "ended for good, not just on one page"


def test_a_save_just_before_the_limit_is_kept_and_counts_as_activity(
    alice: User, draft: Case, clock: Clock
) -> None:
    idle = settings.KIOSK_IDLE_SECONDS
    at_the_terminal = terminal()
    sign_in(at_the_terminal, "applicant")
    address = "天门市竟陵街道东湖路8号3楼"

    clock(idle - 1)
    saved = at_the_terminal.post(
        reverse("cases:form_save", args=[draft.pk]),
        {"business_address": address},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "已保存" in saved.content.decode()
    draft.refresh_from_db()
    assert draft.form_data["business_address"] == address

    clock(2 * idle - 2)
    assert signed_in(at_the_terminal), "the save renewed the sign-in"
    clock(3 * idle)
    assert not signed_in(at_the_terminal)


def test_reading_without_requests_is_kept_alive_by_the_page_asking(alice: User, clock: Clock) -> None:
    """The page's script asks the kiosk page (as JSON) while someone reads or types; that renews."""
    idle = settings.KIOSK_IDLE_SECONDS
    at_the_terminal = terminal()
    sign_in(at_the_terminal, "applicant")

    def ask() -> object:
        answer = at_the_terminal.get(reverse("cases:kiosk"), headers={"Accept": "application/json"})
        assert answer.status_code == 200 and "Accept" in answer["Vary"]
        return answer.json()["signed_in"]

    clock(idle - 1)
    assert ask() is True
    clock(2 * idle - 2)
    assert ask() is True
    clock(3 * idle)
    assert ask() is False


def test_terminal_pages_warn_before_the_sign_in_ends(alice: User) -> None:
    at_the_terminal = terminal()
    sign_in(at_the_terminal, "applicant")
    at_home = Client()
    at_home.force_login(alice)

    for url in (reverse("cases:kiosk"), reverse("cases:my_cases")):
        page = at_the_terminal.get(url).content.decode()
        assert "即将自动退出，点击继续办理" in page
        assert f'data-idle-seconds="{settings.KIOSK_IDLE_SECONDS}"' in page
        assert "js/kiosk_idle.js" in page
        assert f'action="{reverse("accounts:logout")}" id="kiosk-idle-sign-out"' in page
        assert "即将自动退出" not in at_home.get(url).content.decode()


def test_only_a_terminal_sign_in_is_short(alice: User, clock: Clock) -> None:
    at_the_terminal = terminal()
    terminal_max_age = sign_in(at_the_terminal, "applicant")
    at_home = Client()
    home_max_age = sign_in(at_home, "applicant")

    clock(3600)

    assert home_max_age == str(TWO_WEEKS) and terminal_max_age == ""
    assert signed_in(at_home)
    assert not signed_in(at_the_terminal)


def test_an_applicant_cannot_leave_kiosk_mode_but_a_clerk_can(alice: User) -> None:
    at_the_terminal = terminal()
    assert "退出自助模式" not in at_the_terminal.get(reverse("cases:kiosk")).content.decode()
    refused_anonymous = at_the_terminal.post(reverse("cases:kiosk_exit"))
    assert refused_anonymous.status_code == 403

    sign_in(at_the_terminal, "applicant")
    assert "退出自助模式" not in at_the_terminal.get(reverse("cases:kiosk")).content.decode()
    refused = at_the_terminal.post(reverse("cases:kiosk_exit"))
    assert refused.status_code == 403
    assert "只有政务服务中心的工作人员可以退出自助模式" in refused.content.decode()
    at_the_terminal.post(reverse("cases:start"), {"bundle": "hotel", "answers": urlencode(HOTEL_FOUR_ITEMS)})
    assert Case.objects.filter(applicant=alice).latest("created_at").channel == Channel.KIOSK
    at_the_terminal.post(reverse("accounts:logout"))

    sign_in(at_the_terminal, "clerk")
    assert "退出自助模式" in at_the_terminal.get(reverse("cases:kiosk")).content.decode()
    left = at_the_terminal.post(reverse("cases:kiosk_exit"))
    assert left.status_code == 302 and left["Location"] == reverse("public:home")
    assert "本机不是自助终端" in at_the_terminal.get(reverse("cases:kiosk")).content.decode()
