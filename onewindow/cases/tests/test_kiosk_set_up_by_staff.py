"""Only a terminal the centre's staff set up records cases as 自助终端: visiting /kiosk/ (a link is
enough) marks no browser, and no applicant can declare himself at a kiosk through the API."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, Channel

pytestmark = pytest.mark.django_db


def start_on_page(browser: Client, user: User) -> Case:
    browser.post(reverse("cases:start"), {"bundle": "hotel", "answers": urlencode(HOTEL_FOUR_ITEMS)})
    return Case.objects.filter(applicant=user).latest("created_at")


def start_by_api(browser: Client, channel: str) -> tuple[int, dict[str, object]]:
    response = browser.post(
        "/api/v1/cases",
        json.dumps({"bundle": "hotel", "answers": dict(HOTEL_FOUR_ITEMS), "channel": channel}),
        content_type="application/json",
    )
    return response.status_code, response.json()


def terminal_set_up_by(username: str) -> Client:
    terminal = Client()
    terminal.force_login(User.objects.get(username=username))
    assert terminal.post(reverse("cases:kiosk"))["Location"] == reverse("cases:kiosk")
    terminal.post(reverse("accounts:logout"))
    return terminal


def test_visiting_the_kiosk_page_does_not_make_a_browser_a_terminal(alice: User) -> None:
    browser = Client()
    page = browser.get(reverse("cases:kiosk")).content.decode()
    assert "本机不是自助终端" in page
    assert "kiosk-set-up" not in page, "only staff are offered the set-up"

    browser.force_login(alice)

    assert start_on_page(browser, alice).channel == Channel.ONLINE


def test_an_applicant_cannot_set_up_a_terminal(alice: User) -> None:
    browser = Client()
    browser.force_login(alice)

    assert browser.post(reverse("cases:kiosk")).status_code == 403
    assert start_on_page(browser, alice).channel == Channel.ONLINE


@pytest.mark.parametrize("username", ["clerk", "centre_admin"])
def test_a_terminal_set_up_by_centre_staff_files_on_the_kiosk_channel(alice: User, username: str) -> None:
    terminal = terminal_set_up_by(username)
    page = terminal.get(reverse("cases:kiosk")).content.decode()
    assert "本机不是自助终端" not in page and 'id="kiosk-center"' in page

    terminal.force_login(alice)

    assert start_on_page(terminal, alice).channel == Channel.KIOSK


def test_the_api_refuses_the_kiosk_channel_away_from_a_terminal(alice: User) -> None:
    browser = Client()
    browser.force_login(alice)

    status, body = start_by_api(browser, Channel.KIOSK)

    assert (status, body["code"]) == (403, "kiosk_only")
    assert "自助终端" in str(body["message"])
    assert not Case.objects.filter(applicant=alice).exists()


def test_through_the_api_a_terminal_files_on_the_kiosk_channel(alice: User) -> None:
    terminal = terminal_set_up_by("clerk")
    terminal.force_login(alice)

    for asked in (Channel.ONLINE, Channel.KIOSK):
        status, body = start_by_api(terminal, asked)
        assert (status, body["channel"]) == (201, Channel.KIOSK)
