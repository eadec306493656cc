"""Every password rule a registration breaks is said in the page's language, the length rule too."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.tests.steps import WANG_ID

pytestmark = pytest.mark.django_db


def register_with_password(client: Client, password: str) -> str:
    response = client.post(
        reverse("accounts:register"),
        {
            "kind": "person",
            "id_number": WANG_ID,
            "display_name": "王五",
            "phone": "13900002222",
            "username": "wangwu",
            "password1": password,
            "password2": password,
        },
    )
    assert response.status_code in (200, 422)
    return response.content.decode()


def test_a_short_password_is_refused_in_chinese(client: Client) -> None:
    page = register_with_password(client, "abc")

    assert "密码太短，至少需要 8 个字符。" in page
    assert "too short" not in page


def test_and_in_english_on_english_pages(client: Client) -> None:
    client.cookies["django_language"] = "en"
    page = register_with_password(client, "abc")

    assert "This password is too short. It must contain at least 8 characters." in page
