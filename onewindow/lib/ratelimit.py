"""A fixed-window rate limit per client address, kept in the cache (Redis when configured)."""

from __future__ import annotations

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the trusted proxies in front saw it.

    Each of settings.ONEWINDOW_TRUSTED_PROXIES appends the address it was reached from to
    X-Forwarded-For, so the client's is that many entries from the right; whatever lies further left
    the client wrote itself. Without trusted proxies, or when the header is shorter than their count
    or holds no address there, REMOTE_ADDR is all that can be believed.
    """
    remote = str(request.META.get("REMOTE_ADDR", "unknown"))
    hops = settings.ONEWINDOW_TRUSTED_PROXIES
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        return remote


def rate_limited(request: HttpRequest, *, scope: str, limit: int, window_seconds: int = 60) -> bool:
    """True when this address has used up `limit` requests of `scope` in the current window."""
    if limit <= 0:
        return False
    window = int(time.time() // window_seconds)
    key = f"rl:{scope}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=window_seconds + 1):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window_seconds + 1)
        return False
    return count > limit


def minutes_until_window_ends(window_seconds: int) -> int:
    """Whole minutes, at least one, until the current window ends and the limit starts afresh."""
    return max(1, math.ceil((window_seconds - time.time() % window_seconds) / 60))
