"""Admin pages for service centres."""

from django.contrib import admin

from onewindow.centers.models import ServiceCenter


@admin.register(ServiceCenter)
class ServiceCenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "phone"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
