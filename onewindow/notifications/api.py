"""In-app messages over the API: the signed-in user's own, newest first, and marking them read."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from onewindow.accounts.models import User
from onewindow.catalog.schemas import MAX_OFFSET, MAX_PAGE, ApiError, error_answers
from onewindow.notifications.models import Notification
from onewindow.notifications.services import notification_mark_read, notifications_mark_all_read

# Summaries and descriptions are lazy translations (ninja types them as str): the OpenAPI document
# is rendered in the caller's language.
router = Router(tags=[gettext_noop("站内消息")], auth=django_auth)


class NotificationFilters(Schema):
    unread: bool = Field(False, description="只列未读消息")
    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"每页条数，1–{MAX_PAGE}")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="从第几条开始（0 起）")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "case": notification.case_id,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def _own(user: User, notification_id: int) -> Notification:
    # Another user's message is as absent as one that does not exist: no hint that the id is used.
    notification = Notification.objects.filter(pk=notification_id, user=user).first()
    if notification is None:
        raise ApiError(
            404, "notification_not_found", _("没有找到这条消息，它可能不属于您的账号。请刷新消息列表。")
        )
    return notification


@router.get("/notifications", summary=cast(str, gettext_lazy("我的站内消息（最新在前）")))
def notification_list(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    user = _user(request)
    mine = Notification.objects.filter(user=user)
    shown = mine.filter(read_at__isnull=True) if filters.unread else mine
    page = shown.order_by("-created_at", "-id")[filters.offset : filters.offset + filters.limit]
    return {
        "count": shown.count(),
        "unread": mine.filter(read_at__isnull=True).count(),
        "items": [notification_out(n) for n in page],
    }


@router.post(
    "/notifications/{notification_id}/read",
    summary=cast(str, gettext_lazy("标记一条消息为已读")),
    openapi_extra=error_answers(
        {404: [("notification_not_found", gettext_lazy("没有这条消息，或它不属于您的账号。"))]}
    ),
)
def notification_read(request: HttpRequest, notification_id: int) -> dict[str, Any]:
    user = _user(request)
    _own(user, notification_id)
    notification_mark_read(user=user, notification_id=notification_id)
    return notification_out(_own(user, notification_id))


@router.post("/notifications/read-all", summary=cast(str, gettext_lazy("全部标记为已读")))
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": notifications_mark_all_read(user=_user(request))}
