"""Admin pages for branches and the holiday table.

A change of the holiday table moves the open branches' deadlines at once (services.due_dates_recompute),
in the transaction that saves it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import ngettext

from onewindow.accounts.models import User
from onewindow.approvals.models import (
    Branch,
    CalendarDay,
    ClockPause,
    Extension,
    PublishedYear,
    RectificationReply,
    RectificationReplyFile,
)
from onewindow.approvals.services import due_dates_recompute
from onewindow.lib.admin import RecordAdmin


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["case", "item", "department", "status", "opened_on", "due_on", "decided_at"]
    list_filter = ["status", "department"]
    search_fields = ["case__number", "permit_number"]
    list_select_related = ["case", "item", "department"]
    readonly_fields = ["version"]


class CalendarAdmin(admin.ModelAdmin):
    """A page of the holiday table: whatever is saved or deleted there recounts the deadlines it touches."""

    def changed_days(self, obj: Any) -> tuple[date, date]:
        """The first and last day whose counting the row decides."""
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        earlier = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        self._recompute(request, [obj, earlier] if earlier is not None else [obj])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._recompute(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        rows = list(queryset)
        super().delete_queryset(request, queryset)
        self._recompute(request, rows)

    def _recompute(self, request: HttpRequest, rows: list[Model]) -> None:
        spans = [self.changed_days(row) for row in rows]
        user = request.user
        assert isinstance(user, User)
        result = due_dates_recompute(
            first=min(first for first, _last in spans), last=max(last for _first, last in spans), actor=user
        )
        if result.moved:
            self.message_user(
                request,
                ngettext(
                    "已按新的节假日安排重新计算 %(count)s 个在办子件的到期日，并记入办理记录。",
                    "已按新的节假日安排重新计算 %(count)s 个在办子件的到期日，并记入办理记录。",
                    result.moved,
                )
                % {"count": result.moved},
                messages.SUCCESS,
            )
        if result.kept:
            self.message_user(
                request,
                ngettext(
                    "%(count)s 个在办子件的期限跨入尚未录入节假日安排的年份，到期日未能重新计算，仍为原日期；"
                    "请录入该年份的放假和调休安排。",
                    "%(count)s 个在办子件的期限跨入尚未录入节假日安排的年份，到期日未能重新计算，仍为原日期；"
                    "请录入该年份的放假和调休安排。",
                    result.kept,
                )
                % {"count": result.kept},
                messages.WARNING,
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def changed_days(self, obj: CalendarDay) -> tuple[date, date]:
        return obj.date, obj.date


@admin.register(PublishedYear)
class PublishedYearAdmin(CalendarAdmin):
    list_display = ["year", "source"]

    def changed_days(self, obj: PublishedYear) -> tuple[date, date]:
        return date(obj.year, 1, 1), date(obj.year, 12, 31)


@admin.register(Extension)
class ExtensionAdmin(RecordAdmin):
    """A request the supervisor decided on the 延期审批 page; its result moved a due date that the
    applicant was told, so it is read here, not rewritten."""

    list_display = ["branch", "days", "status", "requested_by", "requested_at", "approver", "approved_at"]
    list_filter = ["status"]
    search_fields = ["branch__case__number"]
    list_select_related = ["branch__case", "requested_by", "approver"]


@admin.register(ClockPause)
class ClockPauseAdmin(RecordAdmin):
    """A stop of a branch's clock (supplement, rectification, site check): the due date was counted
    from it."""

    list_display = ["branch", "reason", "started_on", "ended_on"]
    list_filter = ["reason"]
    search_fields = ["branch__case__number"]
    list_select_related = ["branch__case"]


@admin.register(RectificationReply)
class RectificationReplyAdmin(RecordAdmin):
    """What an applicant reported to a department's rectification request."""

    list_display = ["pause", "submitted_by", "submitted_at"]
    search_fields = ["pause__branch__case__number"]
    list_select_related = ["pause__branch__case", "submitted_by"]


@admin.register(RectificationReplyFile)
class RectificationReplyFileAdmin(RecordAdmin):
    pass
