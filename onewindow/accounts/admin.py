"""Admin pages for users (role, department and centre membership), sign-in limits and password codes."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import LoginThrottle, PasswordCode, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "service_center", "is_active"]
    list_filter = ["role", "department", "service_center", "is_active", "shares_identity"]
    # Staff find the accounts of a credit code or ID number to stop one that is not its holder's.
    search_fields = ["username", "display_name", "phone", "enterprise__uscc", "id_number"]
    autocomplete_fields = ["department", "service_center"]
    raw_id_fields = ["enterprise"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("角色与归属"), {"fields": ["role", "display_name", "phone", "department", "service_center"]}),
        (_("申请人证件"), {"fields": ["applicant_kind", "enterprise", "id_number", "shares_identity"]}),
    ]


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ["key", "failures", "locked_until", "updated_at"]
    search_fields = ["key"]


@admin.register(PasswordCode)
class PasswordCodeAdmin(admin.ModelAdmin):
    """Read only: support staff see whether and when a code went out; codes are only ever hashed."""

    list_display = ["user", "created_at", "expires_at", "attempts", "used_at"]
    search_fields = ["user__username", "user__display_name"]
    date_hierarchy = "created_at"
    fields = ["user", "created_at", "expires_at", "attempts", "used_at"]
    readonly_fields = ["user", "created_at", "expires_at", "attempts", "used_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PasswordCode | None = None) -> bool:
        return False
