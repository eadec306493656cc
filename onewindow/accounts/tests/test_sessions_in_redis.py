"""With Redis configured (REDIS_URL), sessions are read from it and still end everywhere on sign-out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.accounts.services import DEMO_PASSWORD

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_sessions() -> Iterator[None]:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # The same two settings onewindow/settings.py sets when REDIS_URL is given.
    with override_settings(CACHES=cache, SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.django_db
def test_a_signed_in_request_reads_its_session_from_redis(redis_sessions: None) -> None:
    clerk = Client()
    response = clerk.post(reverse("accounts:login"), {"username": "clerk", "password": DEMO_PASSWORD})
    assert response.status_code == 302

    with CaptureQueriesContext(connection) as queries:
        queue = clerk.get("/api/v1/window/queue")

    assert queue.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


@pytest.mark.django_db
def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(redis_sessions: None) -> None:
    clerk = Client()
    clerk.post(reverse("accounts:login"), {"username": "clerk", "password": DEMO_PASSWORD})
    stolen = Client()
    stolen.cookies = clerk.cookies.__class__(clerk.cookies)
    assert stolen.get("/api/v1/window/queue").status_code == 200

    clerk.post(reverse("accounts:logout"))

    assert stolen.get("/api/v1/window/queue").status_code == 401
