"""The outbox says 已发送 only once the provider took the message; a send cut off midway is sent again."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings

from conftest import run_queued_tasks
from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.services import case_submit
from onewindow.notifications.models import OutboundMessage
from onewindow.notifications.services import OUTBOX_CLAIM_TIMEOUT, outbound_deliver, outbox_retry

pytestmark = pytest.mark.django_db

THIS = "onewindow.notifications.tests.test_outbox_sending_state"


class WatchingSmsGateway:
    """Records what the outbox says about the message while the provider is being called."""

    seen: list[str] = []

    def send(self, *, recipient: str, subject: str, body: str) -> str:
        WatchingSmsGateway.seen.append(OutboundMessage.objects.get(recipient=recipient, body=body).status)
        return "provider-1"


class WorkerKilled(BaseException):
    """What a deploy, an OOM kill or a power cut does to the worker in the middle of the call."""


class KilledDuringCallGateway:
    def send(self, *, recipient: str, subject: str, body: str) -> str:
        raise WorkerKilled


def test_the_outbox_does_not_say_sent_before_the_provider_took_the_message(
    filled_case: Case, alice: User, settings: Settings, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_GATEWAY = f"{THIS}.WatchingSmsGateway"
    WatchingSmsGateway.seen = []
    with django_capture_on_commit_callbacks(execute=True):
        case_submit(case=filled_case, user=alice, key="k")
    run_queued_tasks()

    assert WatchingSmsGateway.seen == [OutboundMessage.Status.SENDING]
    message = OutboundMessage.objects.get(case=filled_case, channel=OutboundMessage.Channel.SMS)
    assert message.status == OutboundMessage.Status.SENT
    assert message.sent_at and message.provider_reference == "provider-1" and message.attempts == 1


def test_a_send_cut_off_by_a_dead_worker_is_sent_again(alice: User, settings: Settings) -> None:
    message = OutboundMessage.objects.create(
        channel=OutboundMessage.Channel.SMS, recipient=alice.phone, body="【一窗通办】审批完成"
    )
    settings.SMS_GATEWAY = f"{THIS}.KilledDuringCallGateway"
    with pytest.raises(WorkerKilled):
        outbound_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENDING, "not 已发送: nobody knows whether it left"
    assert message.sent_at is None and message.claimed_at

    settings.SMS_GATEWAY = "onewindow.integrations.sms.local.LocalSmsGateway"  # a new worker
    assert outbox_retry().reclaimed == 0, "a claim a few seconds old may be a live worker's"
    # Minutes pass: no provider call takes this long.
    OutboundMessage.objects.filter(pk=message.pk).update(
        claimed_at=message.claimed_at - OUTBOX_CLAIM_TIMEOUT - timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("outbox", "retry", stdout=out)

    assert out.getvalue() == "已发送 1 条；1 条中断的发送已重新排队\n"
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.provider_reference.startswith("local-sms-")
