"""Messages shown on the next page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage
from django.http import HttpRequest


def success_once(request: HttpRequest, message: str) -> None:
    """A success message, unless a repeated request (a double tap) already queued the same one."""
    pending = messages.get_messages(request)
    already = any(str(m) == message for m in pending)
    if isinstance(pending, BaseStorage):
        pending.used = False  # reading the queue must not consume it: the next page shows it
    if not already:
        messages.success(request, message)
