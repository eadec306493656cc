"""Read-only API for the service catalogue: departments, regions and service items with their guides."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any, cast

from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, gettext_noop, pgettext
from ninja import Query, Router

from onewindow.catalog.models import (
    Department,
    ItemField,
    ItemMaterial,
    Region,
    ServiceItem,
)
from onewindow.catalog.models import (
    Field as CatalogField,
)
from onewindow.catalog.schemas import (
    DepartmentDetail,
    DepartmentOut,
    ErrorOut,
    ItemDetail,
    ItemFilters,
    ItemPage,
    RegionFilters,
    RegionOut,
    not_found,
)

router = Router(tags=[gettext_noop("事项目录")])


def department_ref(department: Department) -> dict[str, str]:
    return {"code": department.code, "name": department.name, "short_name": department.short_name}


@functools.cache
def _labels(choices: type[models.Choices]) -> dict[str, Any]:
    return dict(choices.choices)


def choice_label(choices: type[models.Choices], value: str) -> str:
    """A choice's label in the active language, without get_FOO_display()'s ~50 µs a call."""
    return str(_labels(choices).get(value, value))


def number_out(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def field_out(field: CatalogField, *, required: bool, conditional: bool = False) -> dict[str, Any]:
    """A catalogue form field with its validation, as the item guide and the merged plan form show it."""
    return {
        "code": field.code,
        "label": field.label,
        "type": field.field_type,
        "type_label": choice_label(CatalogField.Type, field.field_type),
        "help": field.help_text_zh,
        "required": required,
        "conditional": conditional,
        "choices": [str(c) for c in field.choices],
        "max_length": field.max_length,
        "min_value": number_out(field.min_value),
        "max_value": number_out(field.max_value),
    }


def _region_out(region: Region) -> dict[str, Any]:
    parent = region.parent
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "level_label": choice_label(Region.Level, region.level),
        "parent": {"code": parent.code, "name": parent.name} if parent else None,
    }


def _department_out(department: Department) -> dict[str, Any]:
    return {
        **department_ref(department),
        "region": {"code": department.region.code, "name": department.region.name},
        "uscc": department.uscc,
        "phone": department.phone,
    }


def _item_summary(item: ServiceItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "item_type": item.item_type,
        "item_type_label": choice_label(ServiceItem.ItemType, item.item_type),
        "level": item.level,
        "level_label": choice_label(ServiceItem.Level, item.level),
        "department": department_ref(item.department),
        "statutory_limit_days": item.statutory_limit_days,
        "promised_limit_days": item.promised_limit_days,
        "case_type": item.case_type,
        "case_type_label": choice_label(ServiceItem.CaseType, item.case_type),
        "supports_commitment": item.supports_commitment,
        "commitment_limit_days": item.commitment_limit_days,
    }


@router.get("/departments", response=list[DepartmentOut], summary=cast(str, gettext_lazy("部门列表")))
def department_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_department_out(d) for d in Department.objects.select_related("region")]


@router.get(
    "/departments/{code}",
    response={200: DepartmentDetail, 404: ErrorOut},
    summary=cast(str, gettext_lazy("部门详情及其事项")),
)
def department_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    department = Department.objects.select_related("region").filter(code=code).first()
    if department is None:
        raise not_found(pgettext("what was not found", "部门"), code)
    items = department.items.filter(is_published=True).order_by("code").values("code", "name")
    return {**_department_out(department), "items": list(items)}


@router.get("/regions", response=list[RegionOut], summary=cast(str, gettext_lazy("行政区划列表")))
def region_list(request: HttpRequest, filters: Query[RegionFilters]) -> list[dict[str, Any]]:
    regions = Region.objects.select_related("parent")
    if filters.parent is not None:
        regions = regions.filter(parent__code=filters.parent)
    if filters.level is not None:
        regions = regions.filter(level=filters.level)
    return [_region_out(r) for r in regions]


@router.get(
    "/regions/{code}",
    response={200: RegionOut, 404: ErrorOut},
    summary=cast(str, gettext_lazy("行政区划详情")),
)
def region_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise not_found(pgettext("what was not found", "行政区划"), code)
    return _region_out(region)


@router.get("/items", response=ItemPage, summary=cast(str, gettext_lazy("政务服务事项列表")))
def item_list(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    items = ServiceItem.objects.filter(is_published=True).select_related("department")
    if filters.department is not None:
        items = items.filter(department__code=filters.department)
    if filters.level is not None:
        items = items.filter(level=filters.level)
    if filters.q and filters.q.strip():
        items = items.filter(name__icontains=filters.q.strip())
    start, stop = filters.offset, filters.offset + filters.limit
    return {
        "count": items.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_item_summary(item) for item in items.order_by("department__order", "code")[start:stop]],
    }


@router.get(
    "/items/{code}",
    response={200: ItemDetail, 404: ErrorOut},
    summary=cast(str, gettext_lazy("事项办事指南")),
)
def item_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    item = (
        ServiceItem.objects.filter(code=code, is_published=True)
        .select_related("department")
        .prefetch_related(
            "steps",
            Prefetch(
                "material_requirements",
                queryset=ItemMaterial.objects.select_related("material").order_by("order", "id"),
            ),
            Prefetch(
                "form_fields", queryset=ItemField.objects.select_related("field").order_by("order", "id")
            ),
        )
        .first()
    )
    if item is None:
        raise not_found(pgettext("what was not found", "政务服务事项"), code)
    return {
        **_item_summary(item),
        "basic_code": item.basic_code,
        "implementation_code": item.implementation_code,
        "legal_basis": item.legal_basis,
        "conditions": item.conditions,
        "statutory_extension_days": item.statutory_extension_days,
        "fee": item.fee,
        "fee_basis": item.fee_basis,
        "handling_form": item.handling_form,
        "supports_post": item.supports_post,
        "site_check_required": item.site_check_required,
        "commitment_clause": item.commitment_clause,
        "location": item.location,
        "office_hours": item.office_hours,
        "consult_phone": item.consult_phone,
        "complaint_phone": item.complaint_phone,
        "result_name": item.result_name,
        "result_validity_years": item.result_validity_years,
        "legal_remedy": item.legal_remedy,
        "steps": [
            {"order": s.order, "name": s.name, "actor": s.actor, "limit_days": s.limit_days}
            for s in item.steps.all()
        ],
        "materials": [
            {
                "code": r.material.code,
                "name": r.material.name,
                "description": r.material.description,
                "requirement": r.requirement,
                "requirement_label": choice_label(ItemMaterial.Requirement, r.requirement),
                "condition_note": r.condition_note,
                "originals": r.originals,
                "copies": r.copies,
                "government_held": r.material.government_held,
                "shared_licence_type": r.material.shared_licence_type,
                # The planner's rule: replaceable if either the item or the catalogue entry says so.
                "commitment_replaceable": r.commitment_replaceable or r.material.commitment_replaceable,
                "commitment_clause": r.material.commitment_clause,
                "blank_form_note": r.material.blank_form_note,
            }
            for r in item.material_requirements.all()
        ],
        "form": [
            field_out(f.field, required=f.required, conditional=f.conditional) for f in item.form_fields.all()
        ],
    }
