"""The steps of the password page as an applicant takes them, and what he then sees."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import id_number
from onewindow.notifications.models import OutboundMessage

WANG_ID = id_number("42900619750420551")
WANG_PHONE = "13900139000"
NEW_PASSWORD = "Qingshan-Lake-2027"


def holder_of(user: User) -> dict[str, str]:
    """What the applicant types in step 1 to identify himself."""
    if user.applicant_kind == User.ApplicantKind.ENTERPRISE:
        assert user.enterprise is not None
        return {"kind": "enterprise", "uscc": user.enterprise.uscc, "phone": user.phone}
    return {"kind": "person", "id_number": user.id_number, "phone": user.phone}


def ask_for_code(client: Client, holder: dict[str, str]) -> Any:
    return client.post(reverse("accounts:password"), {"step": "send", **holder})


def set_password(
    client: Client, holder: dict[str, str], code: str, password: str = NEW_PASSWORD, again: str | None = None
) -> Any:
    return client.post(
        reverse("accounts:password"),
        {
            "step": "set",
            **holder,
            "code": code,
            "password1": password,
            "password2": password if again is None else again,
        },
    )


def codes_texted_to(phone: str) -> list[OutboundMessage]:
    """The password code messages in the outbox for this phone, oldest first."""
    return list(
        OutboundMessage.objects.filter(
            channel=OutboundMessage.Channel.SMS, recipient=phone, body__contains="验证码"
        ).order_by("pk")
    )


def page_text(response: Any) -> str:
    return str(response.content.decode())


def code_in(message: OutboundMessage) -> str:
    found = re.search(r"验证码 (\d{6})", message.body)
    assert found, message.body
    return found.group(1)


def can_sign_in(username: str, password: str = NEW_PASSWORD) -> bool:
    response = Client().post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302
