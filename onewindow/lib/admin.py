"""Admin pages for records that are evidence: shown to administrators, never changed by hand."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class RecordAdmin(admin.ModelAdmin):
    """A record someone was given or signed (a notice, a signature, a timeline row): it may be read
    and searched, not added, edited or deleted here, since the printed notice, the applicant's copy
    and the timeline would then tell a different story from the database. Django shows such a page
    read-only to anyone with the view permission."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
