"""Admin pages for branches and the holiday table."""

from django.contrib import admin

from onewindow.approvals.models import (
    Branch,
    CalendarDay,
    ClockPause,
    Extension,
    PublishedYear,
    RectificationReply,
    RectificationReplyFile,
)


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["case", "item", "department", "status", "opened_on", "due_on", "decided_at"]
    list_filter = ["status", "department"]
    search_fields = ["case__number", "permit_number"]
    list_select_related = ["case", "item", "department"]
    readonly_fields = ["version"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(PublishedYear)
class PublishedYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]


admin.site.register(ClockPause)
admin.site.register(Extension)
admin.site.register(RectificationReply)
admin.site.register(RectificationReplyFile)
