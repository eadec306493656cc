"""The local email gateway: hands mail to Django's configured email backend."""

from __future__ import annotations

import uuid
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class EmailGateway(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> str: ...


class LocalEmailGateway:
    def send(self, *, recipient: str, subject: str, body: str) -> str:
        send_mail(subject or "一窗通办通知", body, settings.DEFAULT_FROM_EMAIL, [recipient])
        return f"local-email-{uuid.uuid4().hex[:12]}"


def get_email_gateway() -> EmailGateway:
    return import_string(settings.EMAIL_GATEWAY)()
