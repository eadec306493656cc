"""An SMS that fails while the provider is down is sent once it is back; one the provider refuses is 发送失败."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from conftest import run_queued_tasks
from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.services import case_submit
from onewindow.notifications.models import OutboundMessage
from onewindow.notifications.services import outbound_deliver, outbox_retry

pytestmark = pytest.mark.django_db

THIS = "onewindow.notifications.tests.test_outbox_retry"
LOCAL = "onewindow.integrations.sms.local.LocalSmsGateway"


class DownSmsGateway:
    """The SMS provider is unreachable."""

    calls = 0

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        DownSmsGateway.calls += 1
        raise ConnectionError("短信平台连接超时")


def retry(*args: str) -> str:
    out = io.StringIO()
    call_command("outbox", "retry", *args, stdout=out)
    return out.getvalue()


def submitted_while_down(case: Case, alice: User, settings: Settings, on_commit: Any) -> OutboundMessage:
    settings.SMS_GATEWAY = f"{THIS}.DownSmsGateway"
    with on_commit(execute=True):
        case_submit(case=case, user=alice, key="outbox-retry")
    run_queued_tasks()
    return OutboundMessage.objects.get(case=case, channel=OutboundMessage.Channel.SMS)


def test_a_failed_sms_is_sent_once_the_gateway_is_back(
    filled_case: Case, alice: User, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    message = submitted_while_down(filled_case, alice, settings, django_capture_on_commit_callbacks)
    assert message.status == OutboundMessage.Status.QUEUED, "still to send, not 发送失败"
    assert message.attempts == 1 and "超时" in message.last_error
    assert message.next_attempt_at and message.next_attempt_at > timezone.now()

    settings.SMS_GATEWAY = LOCAL  # the provider is back
    assert retry() == "已发送 0 条\n", "not due yet: retries back off"
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED

    assert retry("--all") == "已发送 1 条\n"
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 2
    assert message.sent_at and message.provider_reference.startswith("local-sms-")


def test_a_due_sms_is_retried_without_waiting_for_anyone(
    filled_case: Case, alice: User, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    message = submitted_while_down(filled_case, alice, settings, django_capture_on_commit_callbacks)
    assert message.next_attempt_at
    still_down = outbox_retry(now=message.next_attempt_at)
    assert (still_down.sent, still_down.waiting) == (0, 1)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED and message.attempts == 2

    settings.SMS_GATEWAY = LOCAL
    assert message.next_attempt_at
    assert outbox_retry(now=message.next_attempt_at).sent == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


def test_a_run_stops_calling_a_provider_that_is_down(
    filled_case: Case, alice: User, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    first = submitted_while_down(filled_case, alice, settings, django_capture_on_commit_callbacks)
    second = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.SMS, recipient=alice.phone, body="【一窗通办】第二条"
    )
    DownSmsGateway.calls = 0

    assert "平台仍不可用，1 条稍后重试" in retry("--all")

    assert DownSmsGateway.calls == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.attempts, second.attempts) == (2, 0)
    assert second.status == OutboundMessage.Status.QUEUED


def test_after_the_last_attempt_the_sms_is_failed(
    filled_case: Case, alice: User, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = submitted_while_down(filled_case, alice, settings, django_capture_on_commit_callbacks)
    retry("--all")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.QUEUED, 2)

    said = retry("--all")

    assert "1 条发送失败（平台拒收或已尝试 3 次），可在管理后台的发件箱中重新发送" in said
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboundMessage.Status.FAILED, 3)
    assert message.next_attempt_at is None and "超时" in message.last_error
    settings.SMS_GATEWAY = LOCAL
    assert retry("--all") == "已发送 0 条\n", "发送失败 is final for the retry job"


def test_an_sms_to_an_invalid_number_fails_at_once() -> None:
    message = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.SMS, recipient="1380013", body="【一窗通办】办件已提交"
    )

    outbound_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED, "sending it again cannot succeed"
    assert message.attempts == 1 and message.last_error
    assert message.next_attempt_at is None
