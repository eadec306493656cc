"""Writes to notifications: an in-app message now, SMS and email through the outbox after commit."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from onewindow.notifications.models import Notification, OutboundMessage

if TYPE_CHECKING:
    from onewindow.accounts.models import User
    from onewindow.cases.models import Case


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
    """Send one queued message through its gateway; a failure is recorded and can be retried."""
    from onewindow.integrations.email.local import get_email_gateway
    from onewindow.integrations.sms.local import get_sms_gateway

    # Claim the row so two workers never send the same message.
    claimed = OutboundMessage.objects.filter(pk=message_id, status=OutboundMessage.Status.QUEUED).update(
        status=OutboundMessage.Status.SENT, sent_at=timezone.now()
    )
    if not claimed:
        return None
    message = OutboundMessage.objects.get(pk=message_id)
    gateway = get_sms_gateway() if message.channel == OutboundMessage.Channel.SMS else get_email_gateway()
    try:
        reference = gateway.send(recipient=message.recipient, subject=message.subject, body=message.body)
    except Exception as exc:
        OutboundMessage.objects.filter(pk=message_id).update(
            status=OutboundMessage.Status.FAILED,
            sent_at=None,
            attempts=message.attempts + 1,
            last_error=str(exc)[:300],
        )
        raise
    OutboundMessage.objects.filter(pk=message_id).update(
        attempts=message.attempts + 1, provider_reference=reference
    )
    message.refresh_from_db()
    return message
