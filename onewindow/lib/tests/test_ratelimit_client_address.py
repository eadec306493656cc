"""The client address the per-address limits count: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from pytest_django.fixtures import Settings

from onewindow.lib.ratelimit import client_address


def address_of(remote: str, forwarded: str | None = None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


def test_without_trusted_proxies_the_header_a_client_writes_is_ignored(settings: Settings) -> None:
    settings.ONEWINDOW_TRUSTED_PROXIES = 0
    assert address_of("203.0.113.7", "1.1.1.1") == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        (2, "1.1.1.1,203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (1, "1.1.1.1, 2001:db8::7", "2001:db8::7"),
    ],
)
def test_behind_trusted_proxies_the_address_the_first_proxy_saw_counts(
    settings: Settings, proxies: int, forwarded: str, client: str
) -> None:
    settings.ONEWINDOW_TRUSTED_PROXIES = proxies
    assert address_of("10.0.0.2", forwarded) == client


@pytest.mark.parametrize(
    ("proxies", "forwarded"),
    [(2, None), (2, ""), (2, "203.0.113.7"), (1, "1.1.1.1, not-an-address")],
)
def test_a_header_the_proxies_did_not_fill_falls_back_to_the_connection(
    settings: Settings, proxies: int, forwarded: str | None
) -> None:
    """Too short (the request bypassed a proxy) or not an address where the proxy writes: the
    connection's address is the only one that can be believed."""
    settings.ONEWINDOW_TRUSTED_PROXIES = proxies
    assert address_of("10.0.0.2", forwarded) == "10.0.0.2"
