"""The outbox in the admin: staff send a failed message again, never edit one, and never read a password code
where the demo does not need it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from conftest import run_queued_tasks
from onewindow.accounts.models import User
from onewindow.accounts.tests.steps import ask_for_code, code_in, codes_texted_to, holder_of
from onewindow.notifications.models import OutboundMessage
from onewindow.notifications.services import outbound_deliver

pytestmark = pytest.mark.django_db

THIS = "onewindow.notifications.tests.test_outbox_admin"
CHANGELIST = reverse("admin:notifications_outboundmessage_changelist")


class DownSmsGateway:
    def send(self, *, recipient: str, subject: str, body: str) -> str:
        raise ConnectionError("短信平台连接超时")


class ProviderSmsGateway:
    """A real provider: the outbox is no longer the applicant's phone."""

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        return "provider-1"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Iterator[None]:
    """The password page's per-address limits live in the cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def sms(body: str = "【一窗通办】审批完成", **fields: Any) -> OutboundMessage:
    return OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.SMS, recipient="13800138000", body=body, **fields
    )


def page(response: Any) -> str:
    assert response.status_code == 200
    return str(response.content.decode())


def test_staff_send_a_failed_message_again(
    admin_client: Client, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.SMS_GATEWAY = f"{THIS}.DownSmsGateway"
    failed = sms()
    outbound_deliver(message_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == OutboundMessage.Status.FAILED
    queued = sms("【一窗通办】另一条")
    settings.SMS_GATEWAY = "onewindow.integrations.sms.local.LocalSmsGateway"  # the provider is back

    listing = page(admin_client.get(CHANGELIST))
    assert '<option value="resend">重新发送</option>' in listing
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            CHANGELIST, {"action": "resend", "_selected_action": [failed.pk, queued.pk]}, follow=True
        )

    said = page(answer)
    assert "1 条消息已重新排队，任务进程将尽快发送。" in said
    assert "只能重新发送状态为“发送失败”的消息，其余 1 条未作改动。" in said
    failed.refresh_from_db()
    assert failed.status == OutboundMessage.Status.QUEUED
    assert run_queued_tasks() == 1
    failed.refresh_from_db()
    assert failed.status == OutboundMessage.Status.SENT and failed.attempts == 2


def test_staff_cannot_edit_a_message(admin_client: Client) -> None:
    message = sms()
    url = reverse("admin:notifications_outboundmessage_change", args=[message.pk])

    assert 'name="status"' not in page(admin_client.get(url))
    admin_client.post(url, {"status": "sent", "recipient": "13900139000", "body": "改了"})

    message.refresh_from_db()
    assert (message.status, message.recipient) == (OutboundMessage.Status.QUEUED, "13800138000")


def test_a_password_code_is_masked_in_the_outbox_list_and_cannot_be_searched(
    admin_client: Client, client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_code(client, holder_of(alice))
    run_queued_tasks()
    [message] = codes_texted_to(alice.phone)
    code = code_in(message)

    listing = page(admin_client.get(CHANGELIST))
    assert "验证码 ••••••" in listing
    assert code not in listing
    for term in (code, code[:3], f"验证码 {code[:2]}"):
        found = admin_client.get(CHANGELIST, {"q": term})
        assert found.context["cl"].result_count == 0, term
    assert admin_client.get(CHANGELIST, {"q": alice.phone}).context["cl"].result_count == 1

    # The local gateway stands in for the phone: the demo reads the code on the message's page.
    detail = page(admin_client.get(reverse("admin:notifications_outboundmessage_change", args=[message.pk])))
    assert f"验证码 {code}" in detail


def test_with_a_real_provider_the_code_is_masked_on_the_messages_page_too(
    admin_client: Client, settings: Settings
) -> None:
    settings.SMS_GATEWAY = f"{THIS}.ProviderSmsGateway"
    message = sms("[OneWindow] Verification code 042917, valid for 10 minutes. 验证码：381920。")
    outbound_deliver(message_id=message.pk)

    detail = page(admin_client.get(reverse("admin:notifications_outboundmessage_change", args=[message.pk])))

    assert "Verification code ••••••" in detail and "验证码：••••••" in detail
    assert not re.search(r"042917|381920", detail)
