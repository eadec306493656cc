"""Public verification is rate-limited per address: the API answers 429 "throttled", the page says so in Chinese.

The page and the API share one budget, so switching between them does not double it. The clock
is pinned inside one window so the test cannot straddle a minute boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = [pytest.mark.django_db]

API_VERIFY = "/api/v1/licences/verify"
WINDOW_START = 1_800_000_000.0  # a multiple of 60: the start of a fixed window


@pytest.fixture(autouse=True)
def _fresh_window() -> Iterator[None]:
    cache.clear()
    with mock.patch("onewindow.lib.ratelimit.time.time", return_value=WINDOW_START + 5):
        yield
    cache.clear()


@override_settings(VERIFY_RATE_LIMIT_PER_MINUTE=3)
def test_the_api_answers_429_after_the_limit() -> None:
    client = Client()
    for _ in range(3):
        response = client.get(API_VERIFY, {"q": "HOT000000000000"})
        assert response.status_code == 404
    throttled = client.get(API_VERIFY, {"q": "HOT000000000000"})
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "60"
    body = throttled.json()
    assert body["code"] == "throttled"
    assert "请一分钟后再试" in body["message"]
    assert body["errors"] == []

    other_address = Client(REMOTE_ADDR="10.0.0.2")
    assert other_address.get(API_VERIFY, {"q": "HOT000000000000"}).status_code == 404


@override_settings(VERIFY_RATE_LIMIT_PER_MINUTE=3)
def test_the_page_and_the_api_share_one_budget() -> None:
    client = Client()
    for _ in range(2):
        assert client.get(API_VERIFY, {"q": "HOT000000000000"}).status_code == 404
    assert client.get(reverse("licenses:verify"), {"q": "HOT000000000000"}).status_code == 404
    page = client.get(reverse("licenses:verify"), {"q": "HOT000000000000"})
    assert page.status_code == 429
    assert "查询过于频繁，请一分钟后再试" in page.content.decode()
    assert client.get(API_VERIFY, {"q": "HOT000000000000"}).status_code == 429


@override_settings(VERIFY_RATE_LIMIT_PER_MINUTE=3)
def test_a_new_window_restores_the_budget() -> None:
    client = Client()
    for _ in range(4):
        client.get(API_VERIFY, {"q": "HOT000000000000"})
    assert client.get(API_VERIFY, {"q": "HOT000000000000"}).status_code == 429
    with mock.patch("onewindow.lib.ratelimit.time.time", return_value=WINDOW_START + 65):
        assert client.get(API_VERIFY, {"q": "HOT000000000000"}).status_code == 404
