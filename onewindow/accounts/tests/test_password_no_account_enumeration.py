"""Details that match no account get the very page that matching ones get, and nothing is sent."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.accounts.tests.steps import WANG_ID, ask_for_code, holder_of, page_text, set_password
from onewindow.cases.demo import enterprise_uscc
from onewindow.notifications.models import Notification, OutboundMessage

UNREGISTERED_USCC = enterprise_uscc("91429006MA4F99999")


def _shape(response: Any, *typed: str) -> str:
    """The page without what differs by construction: the CSRF token and the values typed."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page_text(response))
    for value in typed:
        text = text.replace(value, "…")
    return text


@pytest.mark.django_db
def test_unknown_holder_or_phone_gets_the_same_page_and_nothing_is_sent(alice: User) -> None:
    known = holder_of(alice)
    answer = _shape(ask_for_code(Client(), known), known["uscc"], known["phone"])
    assert OutboundMessage.objects.count() == 1

    # Same mask (138****8000) as alice's phone, so the pages can be compared whole.
    other_phone = {**known, "phone": "13899998000"}
    other_enterprise = {**known, "uscc": UNREGISTERED_USCC}
    for unknown in (other_phone, other_enterprise):
        reply = ask_for_code(Client(), unknown)
        assert reply.status_code == 200
        assert _shape(reply, unknown["uscc"], unknown["phone"]) == answer
    person = page_text(ask_for_code(Client(), {"kind": "person", "id_number": WANG_ID, "phone": alice.phone}))
    assert "如果填写的信息与已登记的申请人账号一致，验证码已发送到手机 138****8000" in person

    assert OutboundMessage.objects.count() == 1
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_guessed_code_for_unknown_details_is_answered_like_any_wrong_code(client: Client) -> None:
    unknown = {"kind": "enterprise", "uscc": UNREGISTERED_USCC, "phone": "13800138000"}
    ask_for_code(client, unknown)
    refused = set_password(client, unknown, "123456")
    assert refused.status_code == 422
    assert "验证码不正确，请核对短信中的6位数字；还可以再试 4 次。" in page_text(refused)
