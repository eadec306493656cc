"""Admin pages for cases (read-only timeline: events are never edited by hand)."""

from django.contrib import admin
from django.http import HttpRequest

from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CommitmentSignature, SupplementRequest


class CaseMaterialInline(admin.TabularInline):
    model = CaseMaterial
    extra = 0
    readonly_fields = (
        "material",
        "disposition",
        "original_name",
        "size",
        "sha256",
        "shared_reference",
        "provided_at",
    )
    fields = readonly_fields
    can_delete = False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "bundle", "holder_name", "channel", "status", "service_center", "submitted_at"]
    list_filter = ["status", "channel", "bundle", "service_center"]
    search_fields = ["number", "holder_name", "holder_code"]
    list_select_related = ["bundle", "service_center"]
    readonly_fields = ["number", "plan", "answers", "submitted_at", "accepted_at", "completed_at"]
    inlines = [CaseMaterialInline]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "seq", "at", "actor_name", "actor_role", "action", "before", "after"]
    list_filter = ["action", "actor_role"]
    search_fields = ["case__number"]
    list_select_related = ["case"]

    def has_change_permission(self, request: HttpRequest, obj: CaseEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: CaseEvent | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


admin.site.register(SupplementRequest)
admin.site.register(CommitmentSignature)
