"""Signing in: Chinese errors, and repeated failures lock the account at that address for a while."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import LoginThrottle
from onewindow.accounts.services import DEMO_PASSWORD


@pytest.mark.django_db
def test_demo_user_signs_in_and_out(client: Client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "clerk", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")
    client.post(reverse("accounts:logout"))
    assert not client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_wrong_password_says_so_in_chinese(client: Client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "clerk", "password": "wrong-pass"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=600)
def test_repeated_failures_lock_even_the_right_password(client: Client) -> None:
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"username": "reviewer", "password": "guess"})
    response = client.post(reverse("accounts:login"), {"username": "reviewer", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert not client.session.get("_auth_user_id")


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3)
def test_success_clears_earlier_failures(client: Client) -> None:
    for _attempt in range(2):
        client.post(reverse("accounts:login"), {"username": "issuer", "password": "guess"})
    client.post(reverse("accounts:login"), {"username": "issuer", "password": DEMO_PASSWORD})
    client.post(reverse("accounts:logout"))
    for _attempt in range(2):
        client.post(reverse("accounts:login"), {"username": "issuer", "password": "guess"})
    response = client.post(reverse("accounts:login"), {"username": "issuer", "password": DEMO_PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=600)
def test_a_form_without_password_does_not_clear_earlier_failures(client: Client) -> None:
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"username": "agent", "password": "guess"})
        client.post(reverse("accounts:login"), {"username": "agent", "password": ""})
    response = client.post(reverse("accounts:login"), {"username": "agent", "password": DEMO_PASSWORD})
    assert "登录失败次数过多" in response.content.decode()
    assert not client.session.get("_auth_user_id")


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=600)
def test_after_a_lock_ends_one_more_mistake_does_not_lock_again(client: Client) -> None:
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"username": "reviewer", "password": "guess"})
    LoginThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))

    client.post(reverse("accounts:login"), {"username": "reviewer", "password": "guess"})
    response = client.post(reverse("accounts:login"), {"username": "reviewer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
