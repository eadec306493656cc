"""The local SMS gateway: records each message in the outbox (visible in the admin) and logs it."""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from onewindow.lib.idcheck import IdentifierError, validate_mobile

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, *, recipient: str, subject: str, body: str) -> str: ...


class LocalSmsGateway:
    """Accepts any valid mainland mobile number; the outbox row is the delivered message."""

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        try:
            validate_mobile(recipient)
        except IdentifierError as exc:
            raise ValueError(exc.message) from exc
        reference = f"local-sms-{uuid.uuid4().hex[:12]}"
        logger.info("SMS to %s: %s (%s)", recipient, body, reference)
        return reference


def get_sms_gateway() -> SmsGateway:
    return import_string(settings.SMS_GATEWAY)()
