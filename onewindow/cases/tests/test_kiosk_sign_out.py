"""A self-service terminal stays one after its user signs out, until its "exit" is pressed."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, Channel

BOB_PASSWORD = "Bob-pass-2026"


def sign_in(terminal: Client, username: str, password: str) -> None:
    response = terminal.post(
        reverse("accounts:login") + "?next=" + reverse("cases:kiosk"),
        {"username": username, "password": password, "next": reverse("cases:kiosk")},
    )
    assert response.status_code == 302, response.content.decode()


def set_up_terminal(terminal: Client) -> None:
    """A window clerk makes the browser a self-service terminal, then signs out."""
    sign_in(terminal, "clerk", DEMO_PASSWORD)
    assert terminal.post(reverse("cases:kiosk")).status_code == 302
    assert terminal.post(reverse("accounts:logout"))["Location"] == reverse("cases:kiosk")


def start_case(terminal: Client, user: User) -> Case:
    response = terminal.post(
        reverse("cases:start"), {"bundle": "hotel", "answers": urlencode(HOTEL_FOUR_ITEMS)}
    )
    assert response.status_code == 302
    return Case.objects.filter(applicant=user).latest("created_at")


@pytest.mark.django_db
def test_the_next_user_at_the_terminal_still_files_on_the_kiosk_channel(alice: User, bob: User) -> None:
    terminal = Client()
    set_up_terminal(terminal)
    sign_in(terminal, "applicant", DEMO_PASSWORD)
    assert start_case(terminal, alice).channel == Channel.KIOSK

    signed_out = terminal.post(reverse("accounts:logout"))
    assert signed_out.status_code == 302
    assert signed_out["Location"] == reverse("cases:kiosk")
    start_page = terminal.get(signed_out["Location"]).content.decode()
    assert "自助申请" in start_page
    assert reverse("accounts:login") + "?next=" + reverse("cases:kiosk") in start_page

    sign_in(terminal, "bob", BOB_PASSWORD)
    assert "自助终端" in terminal.get(reverse("cases:start") + "?bundle=hotel").content.decode()
    assert start_case(terminal, bob).channel == Channel.KIOSK


@pytest.mark.django_db
def test_after_kiosk_exit_cases_are_online_and_sign_out_goes_home(alice: User, bob: User) -> None:
    terminal = Client()
    set_up_terminal(terminal)
    sign_in(terminal, "clerk", DEMO_PASSWORD)  # only the centre's staff take a terminal out of kiosk mode
    left = terminal.post(reverse("cases:kiosk_exit"))
    assert left["Location"] == reverse("public:home")
    terminal.post(reverse("accounts:logout"))
    sign_in(terminal, "applicant", DEMO_PASSWORD)
    assert start_case(terminal, alice).channel == Channel.ONLINE

    signed_out = terminal.post(reverse("accounts:logout"))
    assert signed_out["Location"] == reverse("public:home")
    sign_in(terminal, "bob", BOB_PASSWORD)
    assert start_case(terminal, bob).channel == Channel.ONLINE


@pytest.mark.django_db
def test_a_forged_kiosk_mark_is_ignored(alice: User) -> None:
    browser = Client()
    browser.cookies["onewindow_kiosk"] = "1"
    sign_in(browser, "applicant", DEMO_PASSWORD)
    assert start_case(browser, alice).channel == Channel.ONLINE
    assert browser.post(reverse("accounts:logout"))["Location"] == reverse("public:home")
