"""Background work for notifications: delivering outbox messages."""

from __future__ import annotations

from django_tasks import task

from onewindow.notifications.services import outbound_deliver


@task()
def deliver_outbound(message_id: int) -> None:
    outbound_deliver(message_id=message_id)
