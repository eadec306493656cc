"""Admin pages for cases (read-only timeline: events are never edited by hand)."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CommitmentSignature, SupplementRequest
from onewindow.cases.services import case_correct
from onewindow.lib.admin import RecordAdmin


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


# What an administrator may correct by hand: the holder's particulars and the centre whose window
# handles the case. The rest belongs to the services, which move it with an event on the timeline
# (status, the chain's end, the form, the outcome); an edit here would bypass them.
CASE_CORRECTABLE_FIELDS = ("holder_name", "holder_code", "service_center")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "bundle", "holder_name", "channel", "status", "service_center", "submitted_at"]
    list_filter = ["status", "channel", "bundle", "service_center"]
    search_fields = ["number", "holder_name", "holder_code"]
    list_select_related = ["bundle", "service_center"]
    readonly_fields = [
        f.name for f in Case._meta.concrete_fields if f.name not in ("id", *CASE_CORRECTABLE_FIELDS)
    ]
    inlines = [CaseMaterialInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a case starts from a plan (case_start), with its checklist and first event

    def save_model(self, request: HttpRequest, obj: Case, form: forms.ModelForm[Case], change: bool) -> None:
        user = request.user
        assert isinstance(user, User)
        case_correct(case=obj, admin=user, fields=form.changed_data)


@admin.register(CaseEvent)
class CaseEventAdmin(RecordAdmin):
    list_display = ["case", "seq", "at", "actor_name", "actor_role", "action", "before", "after"]
    list_filter = ["action", "actor_role"]
    search_fields = ["case__number"]
    list_select_related = ["case"]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(RecordAdmin):
    """补正材料通知书 as sent: its PDF is rendered from this row, so the row is the notice."""

    list_display = ["case", "requested_at", "requested_by", "submitted_at", "resolved_at"]
    search_fields = ["case__number"]
    list_select_related = ["case", "requested_by"]


@admin.register(CommitmentSignature)
class CommitmentSignatureAdmin(RecordAdmin):
    """The signed commitment letter: its text and hash are what the applicant signed."""

    list_display = ["case", "signer_name", "signed_at", "text_sha256"]
    search_fields = ["case__number", "signer_name"]
    list_select_related = ["case"]
