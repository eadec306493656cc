"""Failed sign-ins are remembered only as long as they can still lock someone.

Every failure adds rows (the username at the address, the username, the address); a guesser
spreading over many addresses would otherwise grow the table for ever.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import LoginThrottle
from onewindow.accounts.services import DEMO_PASSWORD, login_throttles_purge

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def fail_sign_in(address: str, username: str = "clerk") -> str:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"), {"username": username, "password": "guess"})
    return response.content.decode()


def age(keys_like: str, seconds: int) -> None:
    """Pretend the counts whose key contains `keys_like` were last touched `seconds` ago."""
    LoginThrottle.objects.filter(key__contains=keys_like).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_LOCK_SECONDS=900)
def test_counts_older_than_a_lock_period_go_at_the_next_failure() -> None:
    for number in range(20):
        fail_sign_in(f"203.0.113.{number}")
    # 20 address counts, 20 username-at-address counts and one for the username.
    assert LoginThrottle.objects.count() == 41
    age("203.0.113.", 901)
    age("user:clerk", 901)

    fail_sign_in("198.51.100.9", "issuer")

    # Only the new failure's three counts are left.
    assert sorted(LoginThrottle.objects.values_list("key", flat=True)) == [
        "ip:198.51.100.9",
        "pair:issuer|198.51.100.9",
        "user:issuer",
    ]


@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_LOCK_SECONDS=900)
def test_a_lock_still_running_is_not_purged() -> None:
    for _attempt in range(5):
        fail_sign_in("203.0.113.7")
    assert LOCKED in fail_sign_in("203.0.113.7")
    age("203.0.113.7", 600)  # locked ten minutes ago, for fifteen

    fail_sign_in("198.51.100.9", "issuer")

    assert LoginThrottle.objects.filter(
        key="pair:clerk|203.0.113.7", locked_until__gt=timezone.now()
    ).exists()
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    response = guesser.post(reverse("accounts:login"), {"username": "clerk", "password": DEMO_PASSWORD})
    assert LOCKED in response.content.decode()


@override_settings(LOGIN_LOCK_SECONDS=900)
def test_one_purge_deletes_at_most_its_batch_oldest_first() -> None:
    now = timezone.now()
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=f"ip:192.0.2.{number}", failures=1) for number in range(5)]
    )
    for number in range(5):
        LoginThrottle.objects.filter(key=f"ip:192.0.2.{number}").update(
            updated_at=now - timedelta(seconds=1000 + number)
        )

    assert login_throttles_purge(batch=2) == 2
    assert sorted(LoginThrottle.objects.values_list("key", flat=True)) == [
        "ip:192.0.2.0",
        "ip:192.0.2.1",
        "ip:192.0.2.2",
    ]
