"""Writes to notifications: an in-app message now, SMS and email through the outbox after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from onewindow.notifications.models import Notification, OutboundMessage

if TYPE_CHECKING:
    from onewindow.accounts.models import User
    from onewindow.cases.models import Case

logger = logging.getLogger(__name__)

# Waits after a message's 1st, 2nd, … failed call, as for library pushes; the retry job runs every few minutes.
OUTBOX_BACKOFF_SECONDS = (10, 30, 60, 300, 900, 3600)
# No provider call takes this long: a claim this old belongs to a worker that died during the call.
OUTBOX_CLAIM_TIMEOUT = timedelta(minutes=5)


def notify_user(
    *, user: User, title: str, body: str, case: Case | None = None, link: str = ""
) -> Notification:
    """In-app message plus an SMS (and email if known), delivered by the task queue after commit."""
    from onewindow.notifications.tasks import deliver_outbound

    notification = Notification.objects.create(user=user, case=case, title=title, body=body, link=link)
    outbound = []
    if user.phone:
        outbound.append(
            OutboundMessage.objects.create(
                channel=OutboundMessage.Channel.SMS,
                recipient=user.phone,
                body=f"【一窗通办】{body}",
                case=case,
            )
        )
    if user.email:
        outbound.append(
            OutboundMessage.objects.create(
                channel=OutboundMessage.Channel.EMAIL,
                recipient=user.email,
                subject=title,
                body=body,
                case=case,
            )
        )
    for message in outbound:
        transaction.on_commit(partial(deliver_outbound.enqueue, message.pk))
    return notification


def notify_case_applicant(case: Case, title: str, body: str) -> Notification:
    from django.urls import reverse

    link = reverse("cases:progress", args=[case.pk])
    return notify_user(user=case.applicant, title=title, body=body, case=case, link=link)


def notification_mark_read(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread message of the user read; how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def outbound_deliver(*, message_id: int) -> OutboundMessage | None:
    """Send one queued message through its gateway; None when it is not waiting to be sent.

    A failed call puts the message back in the queue with a later 下次尝试 for `outbox_retry`. It is
    发送失败 only when the gateway refuses the message itself, by raising ValueError (an invalid number
    or address: sending it again cannot succeed), or after the last of settings.OUTBOX_MAX_ATTEMPTS calls
    (the 10th by default, about four and a half hours after the first with the waits above).
    """
    from onewindow.integrations.email.local import get_email_gateway
    from onewindow.integrations.sms.local import get_sms_gateway

    claimed_at = timezone.now()
    # The claim is its own committed write: two workers never send the same message, and a worker that
    # dies during the provider call leaves 发送中 (which outbox_retry takes back), never 已发送.
    claimed = OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.SENDING, claimed_at=claimed_at
    )
    if not claimed:
        return None
    message = OutboundMessage.objects.get(pk=message_id)
    gateway = get_sms_gateway() if message.channel == OutboundMessage.Channel.SMS else get_email_gateway()
    try:
        reference = gateway.send(recipient=message.recipient, subject=message.subject, body=message.body)
    except ValueError as exc:
        _outbound_failed(message, claimed_at=claimed_at, error=exc, final=True)
    except Exception as exc:
        _outbound_failed(
            message, claimed_at=claimed_at, error=exc, final=message.attempts + 1 >= outbox_max_attempts()
        )
    else:
        # Recorded even if outbox_retry took the claim back meanwhile: the provider has the message.
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.SENT,
            sent_at=timezone.now(),
            attempts=F("attempts") + 1,
            provider_reference=reference,
            next_attempt_at=None,
        )
    message.refresh_from_db()
    return message


def outbox_max_attempts() -> int:
    """How many failed calls make a message 发送失败."""
    return int(settings.OUTBOX_MAX_ATTEMPTS)


def _outbound_failed(
    message: OutboundMessage, *, claimed_at: datetime, error: Exception, final: bool
) -> None:
    delay = OUTBOX_BACKOFF_SECONDS[min(message.attempts, len(OUTBOX_BACKOFF_SECONDS) - 1)]
    logger.warning(
        "Outbox message %s (%s) not sent, attempt %s%s: %s",
        message.pk,
        message.channel,
        message.attempts + 1,
        "" if final else f", retried in {delay} s",
        error,
    )
    # Only while the claim is still ours: a worker that outbox_retry took it back from may have sent it.
    OutboundMessage.objects.filter(
        pk=message.pk, status=OutboundMessage.Status.SENDING, claimed_at=claimed_at
    ).update(
        status=OutboundMessage.Status.FAILED if final else OutboundMessage.Status.QUEUED,
        attempts=F("attempts") + 1,
        last_error=(str(error) or type(error).__name__)[:300],
        next_attempt_at=None if final else timezone.now() + timedelta(seconds=delay),
        claimed_at=None,
    )


@dataclass(frozen=True)
class OutboxRetried:
    """What one run of `outbox_retry` did."""

    sent: int
    waiting: int  # failed again, back in the queue for later
    failed: int  # 发送失败 now: refused by the provider, or out of attempts
    reclaimed: int  # 发送中 rows of workers that died, queued again


def outbox_retry(
    *, now: datetime | None = None, ignore_backoff: bool = False, limit: int = 1000
) -> OutboxRetried:
    """Send the queued messages that are due, oldest first, after taking back claims of dead workers.

    After a channel's first failure the run leaves that channel's other messages for the next run: the
    provider is most likely down, and each call to it may wait for a timeout.
    """
    now = now or timezone.now()
    # The provider may have taken the message before the worker died; sent again, it arrives twice.
    reclaimed = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING, claimed_at__lt=now - OUTBOX_CLAIM_TIMEOUT
    ).update(status=OutboundMessage.Status.QUEUED, claimed_at=None)
    due = OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED)
    if not ignore_backoff:
        due = due.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    counts = dict.fromkeys(OutboundMessage.Status.values, 0)
    down: set[str] = set()
    for message_id, channel in due.order_by("created_at", "id").values_list("id", "channel")[:limit]:
        if channel in down:
            continue
        message = outbound_deliver(message_id=message_id)
        if message is None:  # a worker sent it meanwhile
            continue
        counts[message.status] += 1
        if message.status == OutboundMessage.Status.QUEUED:
            down.add(channel)
    return OutboxRetried(
        sent=counts[OutboundMessage.Status.SENT],
        waiting=counts[OutboundMessage.Status.QUEUED],
        failed=counts[OutboundMessage.Status.FAILED],
        reclaimed=reclaimed,
    )


def outbound_resend(*, message_ids: Iterable[int]) -> int:
    """Queue failed messages again (the admin's 重新发送); the task worker sends them. How many were queued."""
    from onewindow.notifications.tasks import deliver_outbound

    with transaction.atomic():
        ids = list(
            OutboundMessage.objects.select_for_update()
            .filter(pk__in=list(message_ids), status=OutboundMessage.Status.FAILED)
            .values_list("pk", flat=True)
        )
        OutboundMessage.objects.filter(pk__in=ids).update(
            status=OutboundMessage.Status.QUEUED, next_attempt_at=None
        )
        for message_id in ids:
            transaction.on_commit(partial(deliver_outbound.enqueue, message_id))
    return len(ids)
