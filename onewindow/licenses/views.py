"""Public verification of licences (by identifier, number, permit number or QR), rate-limited."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.lib.ratelimit import rate_limited
from onewindow.licenses.selectors import licence_verify


def _limited(request: HttpRequest) -> HttpResponse | None:
    if rate_limited(request, scope="verify", limit=settings.VERIFY_RATE_LIMIT_PER_MINUTE):
        response = render(request, "licenses/verify.html", {"limited": True}, status=429)
        response["Retry-After"] = "60"
        return response
    return None


def verify(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:120]
    if query:
        limited = _limited(request)
        if limited:
            return limited
    result = licence_verify(query) if query else None
    status = 404 if query and result is None else 200
    return render(request, "licenses/verify.html", {"query": query, "result": result}, status=status)


def verify_token(request: HttpRequest, token: str) -> HttpResponse:
    limited = _limited(request)
    if limited:
        return limited
    result = licence_verify(token[:64])
    return render(
        request, "licenses/verify.html", {"query": "", "result": result}, status=200 if result else 404
    )
