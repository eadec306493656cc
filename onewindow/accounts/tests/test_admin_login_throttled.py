"""The admin site's sign-in shares the lock of the site's sign-in page."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from onewindow.accounts.services import DEMO_PASSWORD

ADMIN_LOGIN = "/admin/login/"


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=600)
def test_admin_login_refuses_the_right_password_once_the_site_login_locked(client: Client) -> None:
    for _attempt in range(3):
        client.post(reverse("accounts:login"), {"username": "admin", "password": "guess"})
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": DEMO_PASSWORD, "next": "/admin/"})
    assert response.status_code == 200
    assert "登录失败次数过多，已暂时锁定" in response.content.decode()
    assert not client.session.get("_auth_user_id")


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCK_SECONDS=600)
def test_failures_on_the_admin_login_lock_both_sign_ins(client: Client) -> None:
    for _attempt in range(3):
        client.post(ADMIN_LOGIN, {"username": "admin", "password": "guess", "next": "/admin/"})
    admin_response = client.post(
        ADMIN_LOGIN, {"username": "admin", "password": DEMO_PASSWORD, "next": "/admin/"}
    )
    assert "登录失败次数过多，已暂时锁定" in admin_response.content.decode()
    site_response = client.post(reverse("accounts:login"), {"username": "admin", "password": DEMO_PASSWORD})
    assert site_response.status_code == 200
    assert "登录失败次数过多，已暂时锁定" in site_response.content.decode()
    assert not client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_admin_still_signs_in_to_the_admin_site(client: Client) -> None:
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": DEMO_PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
