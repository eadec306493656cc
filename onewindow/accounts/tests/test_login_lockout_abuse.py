"""Sign-in locks stop guessing without letting a stranger lock someone else out.

Five failures lock a username at the address they came from; a username is locked everywhere only
by many more failures from many addresses; an address trying many usernames is locked whatever it
signs in to meanwhile.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import LoginThrottle, User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.accounts.tests.steps import ask_for_code, code_in, codes_texted_to, holder_of, set_password

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def sign_in(client: Client, username: str, password: str) -> str:
    return str(
        client.post(reverse("accounts:login"), {"username": username, "password": password}).content.decode()
    )


def signs_in(client: Client, username: str, password: str = DEMO_PASSWORD) -> bool:
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_LOCK_SECONDS=900)
def test_a_stranger_cannot_lock_a_clerk_out_by_typing_wrong_passwords_for_her_username() -> None:
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    for _attempt in range(5):
        sign_in(stranger, "clerk", "guess")
    # The stranger's own address is locked for her username, even with the right password ...
    assert LOCKED in sign_in(stranger, "clerk", DEMO_PASSWORD)

    # ... but the clerk, at her own desk, signs in with her right password.
    clerk = Client(REMOTE_ADDR="10.20.30.40")
    response = clerk.post(reverse("accounts:login"), {"username": "clerk", "password": DEMO_PASSWORD})

    assert LOCKED not in response.content.decode()
    assert response.status_code == 302


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_MAX_FAILURES_PER_USERNAME=6, LOGIN_LOCK_SECONDS=900)
def test_guessing_one_username_from_many_addresses_locks_it_everywhere() -> None:
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        guesser = Client(REMOTE_ADDR=address)
        for _attempt in range(2):
            sign_in(guesser, "clerk", "guess")

    assert LOCKED in sign_in(Client(REMOTE_ADDR="10.20.30.40"), "clerk", DEMO_PASSWORD)
    # Other users are not concerned.
    assert signs_in(Client(REMOTE_ADDR="10.20.30.40"), "issuer")


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_MAX_FAILURES_PER_ADDRESS=4, LOGIN_LOCK_SECONDS=900)
def test_the_address_lock_is_not_reset_by_the_guessers_own_sign_in(alice: User) -> None:
    address = "198.51.100.23"
    guesser = Client(REMOTE_ADDR=address)
    for username in ("reviewer", "issuer", "agent"):
        sign_in(guesser, username, "Password123")
    # The guesser signs in to an account of his own from the same address, and out again ...
    assert signs_in(guesser, "applicant")
    guesser.post(reverse("accounts:logout"))
    # ... and goes on guessing other people's passwords.
    for username in ("inspector", "supervisor", "centre_admin"):
        sign_in(guesser, username, "Password123")

    # Six failures from one address, more than the four allowed: the address must be locked.
    assert LOCKED in sign_in(guesser, "reviewer_fire", "Password123")


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_MAX_FAILURES_PER_ADDRESS=4, LOGIN_LOCK_SECONDS=900)
def test_failures_older_than_the_lock_duration_no_longer_count() -> None:
    office = Client(REMOTE_ADDR="10.20.30.40")
    for username in ("reviewer", "clerk", "clerk"):
        sign_in(office, username, "mistyped")
    # A quarter of an hour later those mistypes are forgotten ...
    LoginThrottle.objects.update(window_started_at=timezone.now() - timedelta(seconds=901))

    # ... so the office is not locked by its next ones, nor the clerk by her third.
    sign_in(office, "inspector", "mistyped")
    sign_in(office, "clerk", "mistyped")
    assert signs_in(office, "clerk")
    assert signs_in(Client(REMOTE_ADDR="10.20.30.40"), "supervisor")


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_MAX_FAILURES_PER_USERNAME=6, LOGIN_LOCK_SECONDS=900)
def test_setting_a_password_by_sms_lifts_every_lock_of_that_username(alice: User) -> None:
    for address in ("203.0.113.1", "203.0.113.2"):
        for _attempt in range(3):
            sign_in(Client(REMOTE_ADDR=address), "applicant", "guess")
    assert LOCKED in sign_in(Client(REMOTE_ADDR="203.0.113.1"), "applicant", DEMO_PASSWORD)
    assert LOCKED in sign_in(Client(REMOTE_ADDR="10.20.30.40"), "applicant", DEMO_PASSWORD)

    phone = Client(REMOTE_ADDR="10.20.30.40")
    ask_for_code(phone, holder_of(alice))
    set_password(
        phone, holder_of(alice), code_in(codes_texted_to(alice.phone)[0]), password="Qingshan-Lake-2027"
    )

    for address in ("203.0.113.1", "203.0.113.2", "10.20.30.40"):
        assert signs_in(Client(REMOTE_ADDR=address), "applicant", "Qingshan-Lake-2027")


@override_settings(LOGIN_MAX_FAILURES=3, ONEWINDOW_TRUSTED_PROXIES=1, LOGIN_LOCK_SECONDS=900)
def test_behind_a_proxy_one_visitors_failures_lock_only_his_own_address() -> None:
    def through_proxy(client_sent: str) -> Client:
        # The proxy at 10.0.0.2 appends the address it was reached from to whatever the client sent.
        return Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_sent)

    for spoofed in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        sign_in(through_proxy(f"{spoofed}, 203.0.113.7"), "clerk", "guess")

    # Writing another address into the header does not get the guesser round his lock ...
    assert LOCKED in sign_in(through_proxy("4.4.4.4, 203.0.113.7"), "clerk", DEMO_PASSWORD)
    # ... and the clerk, reaching the same proxy from her own address, signs in.
    assert signs_in(through_proxy("10.20.30.40"), "clerk")
