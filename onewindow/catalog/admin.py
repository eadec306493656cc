"""Admin pages for the catalogue: administrators describe departments, items, materials and forms."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import (
    Department,
    Field,
    ItemField,
    ItemMaterial,
    Material,
    ProcessStep,
    Region,
    ServiceItem,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "region", "phone", "order"]
    list_editable = ["order"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region"]


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "government_held", "commitment_replaceable"]
    list_filter = ["government_held", "commitment_replaceable"]
    search_fields = ["code", "name", "description"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "field_type"]
    list_filter = ["field_type"]
    search_fields = ["code", "label"]


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0


class ItemMaterialInline(admin.TabularInline):
    model = ItemMaterial
    extra = 0
    autocomplete_fields = ["material"]


class ItemFieldInline(admin.TabularInline):
    model = ItemField
    extra = 0
    autocomplete_fields = ["field"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "department",
        "item_type",
        "level",
        "statutory_limit_days",
        "promised_limit_days",
        "is_published",
    ]
    list_filter = ["department", "item_type", "level", "is_published", "site_check_required"]
    search_fields = ["code", "name", "implementation_code"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    inlines = [ProcessStepInline, ItemMaterialInline, ItemFieldInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "department", "item_type", "level", "is_published"]}),
        (_("编码"), {"fields": ["basic_code", "implementation_code"]}),
        (_("依据与条件"), {"fields": ["legal_basis", "conditions", "legal_remedy"]}),
        (
            _("时限"),
            {
                "fields": [
                    "statutory_limit_days",
                    "statutory_extension_days",
                    "promised_limit_days",
                    "commitment_limit_days",
                    "case_type",
                ]
            },
        ),
        (
            _("办理方式"),
            {
                "fields": [
                    "handling_form",
                    "supports_post",
                    "site_check_required",
                    "supports_commitment",
                    "commitment_clause",
                    "location",
                    "office_hours",
                ]
            },
        ),
        (_("收费与结果"), {"fields": ["fee", "fee_basis", "result_name", "result_validity_years"]}),
        (_("电话"), {"fields": ["consult_phone", "complaint_phone"]}),
    ]
