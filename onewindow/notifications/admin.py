"""Admin pages: in-app notifications and the SMS/email outbox (read only, with 重新发送 for failed messages)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from onewindow.notifications.models import Notification, OutboundMessage
from onewindow.notifications.services import outbound_resend

# A code sent to be typed in elsewhere ("验证码 123456", "Verification code 123456"): whoever reads it here
# could set the applicant's password with it.
_CODE = re.compile(r"(验证码|取件码|code)(\W{0,3})(\d{4,8})(?!\d)", re.IGNORECASE)
# With the local gateway the outbox is the only phone there is: the demo reads its codes on a message's page.
LOCAL_SMS_GATEWAY = "onewindow.integrations.sms.local.LocalSmsGateway"


def masked(body: str) -> str:
    """The body with every code replaced by as many dots."""
    return _CODE.sub(lambda found: found[1] + found[2] + "•" * len(found[3]), body)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Read only: the worker and `onewindow outbox retry` change the rows, staff only queue failed ones again."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "summary",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "provider_reference",
    ]
    list_filter = ["channel", "status"]
    # Not the body: searching it digit by digit would reveal the codes that the pages mask.
    search_fields = ["recipient", "subject", "case__number"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "channel",
        "recipient",
        "subject",
        "content",
        "case",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "created_at",
        "sent_at",
        "provider_reference",
    )
    fields = readonly_fields
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboundMessage | None = None) -> bool:
        # A form saved over a row the worker has since changed would put back its old status.
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request)

    @admin.display(description=_("内容"))
    def summary(self, message: OutboundMessage) -> str:
        return Truncator(masked(message.body)).chars(60)

    @admin.display(description=_("内容"))
    def content(self, message: OutboundMessage) -> str:
        return message.body if settings.SMS_GATEWAY == LOCAL_SMS_GATEWAY else masked(message.body)

    @admin.action(description=_("重新发送"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        queued = outbound_resend(message_ids=chosen)
        if queued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d 条消息已重新排队，任务进程将尽快发送。",
                    "%(count)d 条消息已重新排队，任务进程将尽快发送。",
                    queued,
                )
                % {"count": queued},
                messages.SUCCESS,
            )
        if len(chosen) > queued:
            self.message_user(
                request,
                gettext("只能重新发送状态为“发送失败”的消息，其余 %(count)d 条未作改动。")
                % {"count": len(chosen) - queued},
                messages.WARNING,
            )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    search_fields = ["title", "body"]
