"""Public pages: the home page, the item catalogue with Chinese search, and each item's guide."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from onewindow.catalog import selectors
from onewindow.catalog.models import ServiceItem

HOTLINE = "12345"


def site_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the city and centre every page names in its header and footer."""
    return {
        "site": {
            "city_name": settings.CITY_NAME,
            "centre_name": settings.CENTRE_NAME,
            "hotline": HOTLINE,
        }
    }


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/home.html",
        {
            "bundles": selectors.bundle_cards(),
            "departments": selectors.departments_with_items(),
            "totals": selectors.catalogue_totals(),
        },
    )


def item_list(request: HttpRequest) -> HttpResponse:
    search = selectors.item_search(
        query=request.GET.get("q", "")[:100],
        department_code=request.GET.get("department", ""),
        level=request.GET.get("level", ""),
        page=request.GET.get("page", 1),
    )
    # Page links keep the search and filters so every result page is a shareable URL.
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "catalog/item_list.html",
        {
            "search": search,
            "page_obj": search.page,
            "items": search.page.object_list,
            "departments": selectors.departments_with_items(),
            "levels": ServiceItem.Level.choices,
            "query_without_page": params.urlencode(),
        },
    )


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.item_guide(code)
    except ServiceItem.DoesNotExist:
        raise Http404(
            _("没有找到编码为“%(code)s”的事项，它可能已停止办理或编码有误。") % {"code": code}
        ) from None
    return render(request, "catalog/item_detail.html", {"item": item})
