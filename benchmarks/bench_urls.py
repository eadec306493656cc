"""The project's URLs plus /bench/bare/, a JSON view that touches nothing: the ceiling to compare against."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("onewindow.urls")),
]
