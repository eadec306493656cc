"""Admin for joint inspections: read-mostly, since every change goes through the services and the case timeline."""

from __future__ import annotations

from django.contrib import admin

from onewindow.inspections.models import (
    ChecklistEntry,
    CommitmentCheck,
    InspectionAssignment,
    JointInspection,
    RectificationNotice,
    RectificationReport,
)
from onewindow.lib.admin import RecordAdmin


class AssignmentInline(admin.TabularInline):
    model = InspectionAssignment
    fields = ["branch", "department", "inspector", "clock_paused", "paused_workdays"]
    readonly_fields = ["branch", "department", "inspector", "clock_paused", "paused_workdays"]
    extra = 0
    can_delete = False


@admin.register(JointInspection)
class JointInspectionAdmin(admin.ModelAdmin):
    list_display = ["case", "organiser_department", "round", "status", "scheduled_at", "address"]
    list_filter = ["status", "organiser_department"]
    search_fields = ["case__number", "case__holder_name", "address"]
    readonly_fields = [
        "case",
        "organiser_department",
        "organiser",
        "round",
        "scheduled_at",
        "address",
        "status",
        "created_at",
        "ended_at",
        "close_reason",
    ]
    inlines = [AssignmentInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(ChecklistEntry)
class ChecklistEntryAdmin(admin.ModelAdmin):
    list_display = ["condition", "assignment", "round", "result", "recorded_by", "recorded_at"]
    list_filter = ["result", "round"]
    search_fields = ["condition", "note", "assignment__inspection__case__number"]
    readonly_fields = [
        "assignment",
        "round",
        "order",
        "condition",
        "result",
        "note",
        "previous",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(RectificationNotice)
class RectificationNoticeAdmin(admin.ModelAdmin):
    list_display = ["inspection", "round", "issued_at", "due_on"]
    readonly_fields = ["inspection", "round", "issued_at", "issued_by", "due_on", "findings"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(RectificationReport)
class RectificationReportAdmin(admin.ModelAdmin):
    list_display = ["inspection", "round", "submitted_by", "submitted_at"]
    readonly_fields = ["inspection", "round", "text", "submitted_by", "submitted_at"]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(CommitmentCheck)
class CommitmentCheckAdmin(RecordAdmin):
    """Scheduled by an approval on commitment and decided on the department's page, with the result
    on the case timeline: read here, never changed by hand."""

    list_display = ["case", "branch", "department", "status", "due_on", "rectify_by", "checked_at"]
    list_filter = ["status", "department"]
    search_fields = ["case__number", "case__holder_name"]
    list_select_related = ["case", "branch__item", "department"]
