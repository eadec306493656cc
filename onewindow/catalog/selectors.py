"""Reads for the public pages: the item catalogue, one item's guide, published bundles, the centre."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from onewindow.bundles.models import Bundle
from onewindow.catalog.models import Department, ItemField, ItemMaterial, ServiceItem
from onewindow.catalog.search import search
from onewindow.centers.models import ServiceCenter

ITEMS_PER_PAGE = 20


def _published_bundles() -> QuerySet[Bundle]:
    return Bundle.objects.filter(is_published=True).order_by("order", "code")


def _item_list_queryset() -> QuerySet[ServiceItem]:
    """Everything an item row on the list shows, in a fixed number of queries."""
    return (
        ServiceItem.objects.filter(is_published=True)
        .select_related("department")
        .prefetch_related(Prefetch("bundles", queryset=_published_bundles().only("id", "code", "name")))
    )


@dataclass(frozen=True)
class ItemSearch:
    query: str
    department: Department | None
    level: str
    page: Page[Any]
    total: int
    # 一业一证 bundles for the trade the query names, shown above the items as 相关主题.
    bundles: tuple[Bundle, ...] = ()

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.department or self.level)


def departments_with_items() -> list[Department]:
    """Departments that publish at least one item, for the filter and the home page shortcuts."""
    return list(
        Department.objects.annotate(item_count=Count("items", filter=Q(items__is_published=True)))
        .filter(item_count__gt=0)
        .order_by("order", "code")
    )


def item_search(
    *, query: str = "", department_code: str = "", level: str = "", page: str | int = 1
) -> ItemSearch:
    """One page of published items, ranked by the query when there is one, else in catalogue order.

    A query that names a trade also brings the bundles for it; their items follow the items the
    query matches itself, and the filters apply to them as well.

    Unknown department codes or levels filter nothing out silently: they are reported by
    returning department=None / level="" so the page can show all items with the filter off.
    A code with a NUL character is unknown without asking the database, which refuses it.
    """
    department = (
        Department.objects.filter(code=department_code).first()
        if department_code and "\x00" not in department_code
        else None
    )
    if level not in ServiceItem.Level.values:
        level = ""
    queryset = _item_list_queryset()
    if department is not None:
        queryset = queryset.filter(department=department)
    if level:
        queryset = queryset.filter(level=level)
    query = query.strip()
    if not query:
        paginator = Paginator(queryset.order_by("department__order", "code"), ITEMS_PER_PAGE)
        current = paginator.get_page(page)
        return ItemSearch(query="", department=department, level=level, page=current, total=paginator.count)

    found = search(query)
    ranking = found.items + found.bundle_items
    if department is not None or level:
        allowed = set(queryset.filter(id__in=ranking).values_list("id", flat=True))
        ranking = [item_id for item_id in ranking if item_id in allowed]
    id_paginator = Paginator(ranking, ITEMS_PER_PAGE)
    # Paginated as ids, shown as items: the page's list is swapped for the items below.
    id_page: Page[Any] = id_paginator.get_page(page)
    page_ids = list(id_page.object_list)
    by_id = {item.id: item for item in queryset.filter(id__in=page_ids)}
    # The page keeps the ranking; an item unpublished since the index was built drops out.
    id_page.object_list = [by_id[item_id] for item_id in page_ids if item_id in by_id]
    bundles = tuple(_published_bundles().filter(id__in=found.bundles)) if found.bundles else ()
    return ItemSearch(
        query=query,
        department=department,
        level=level,
        page=id_page,
        total=id_paginator.count,
        bundles=bundles,
    )


def item_guide(code: str) -> ServiceItem:
    """A published item with everything its guide page shows; raises ServiceItem.DoesNotExist."""
    return (
        ServiceItem.objects.filter(is_published=True)
        .select_related("department__region")
        .prefetch_related(
            "steps",
            Prefetch(
                "material_requirements",
                queryset=ItemMaterial.objects.select_related("material").order_by("order", "id"),
            ),
            Prefetch(
                "form_fields", queryset=ItemField.objects.select_related("field").order_by("order", "id")
            ),
            Prefetch("bundles", queryset=_published_bundles()),
        )
        .get(code=code)
    )


def bundle_cards() -> list[Bundle]:
    """Published bundles with item_count and department_count for the cards on the home page."""
    return list(
        _published_bundles()
        .select_related("lead_department")
        .annotate(
            item_count=Count("bundle_items", distinct=True),
            department_count=Count("bundle_items__item__department", distinct=True),
        )
    )


def catalogue_totals() -> dict[str, int]:
    """Headline numbers for the home page."""
    return ServiceItem.objects.filter(is_published=True).aggregate(
        items=Count("id"),
        departments=Count("department", distinct=True),
        # The shortcut to items handled near home is shown only when there are some.
        township_items=Count("id", filter=Q(level=ServiceItem.Level.TOWNSHIP)),
    )


def municipal_centre() -> ServiceCenter | None:
    """Where a bundle is applied for: the municipal centre's comprehensive windows."""
    return ServiceCenter.objects.filter(kind=ServiceCenter.Kind.MUNICIPAL).order_by("code").first()
