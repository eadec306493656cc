"""Admin pages of the local e-licence library."""

from django.contrib import admin

from onewindow.integrations.elicense.models import LibraryLicence, LibraryRequest, LibraryState


@admin.register(LibraryLicence)
class LibraryLicenceAdmin(admin.ModelAdmin):
    list_display = ["holder_code", "holder_name", "licence_type", "licence_number", "status", "valid_until"]
    list_filter = ["licence_type", "status"]
    search_fields = ["holder_code", "holder_name", "identifier", "licence_number"]


admin.site.register(LibraryRequest)
admin.site.register(LibraryState)
