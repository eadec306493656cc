"""Middleware for the HTML pages: a request with a method a page does not take gets the Chinese 405 page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import render


class MethodNotAllowedPage:
    """require_POST, require_GET and class-based views answer a wrong method with an empty 405, which a
    browser shows as a blank page (a form's address opened from the history, a bookmark). The API
    answers its own 405s in JSON, so they are never empty and pass unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            page = render(request, "405.html", status=405)
            page["Allow"] = response["Allow"]
            return page
        return response
