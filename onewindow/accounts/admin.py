"""Admin pages for users: role, department and centre membership."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import LoginThrottle, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "service_center", "is_active"]
    list_filter = ["role", "department", "service_center", "is_active"]
    search_fields = ["username", "display_name", "phone"]
    autocomplete_fields = ["department", "service_center"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("角色与归属"), {"fields": ["role", "display_name", "phone", "department", "service_center"]}),
    ]


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    list_display = ["key", "failures", "locked_until", "updated_at"]
    search_fields = ["key"]
