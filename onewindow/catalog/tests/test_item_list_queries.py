"""The item catalogue page costs the same number of queries however many items there are."""

from __future__ import annotations

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from onewindow.bundles.models import Bundle, BundleItem
from onewindow.catalog.models import Department, Region, ServiceItem

pytestmark = pytest.mark.django_db


def add_items(department: Department, bundle: Bundle, start: int, count: int) -> None:
    for number in range(start, start + count):
        item = ServiceItem.objects.create(
            code=f"querytest-{number:03d}",
            name=f"查询次数测试事项{number:03d}",
            department=department,
            item_type=ServiceItem.ItemType.LICENSING,
            level=ServiceItem.Level.CITY,
            legal_basis="《测试条例》",
            conditions="符合条件。",
            statutory_limit_days=20,
            promised_limit_days=5,
            case_type=ServiceItem.CaseType.PROMISED,
            result_name="测试结果",
        )
        BundleItem.objects.create(bundle=bundle, item=item, order=100 + number)


@pytest.mark.parametrize("params", [{}, {"q": "查询次数测试"}, {"q": "测试事项", "level": "city"}])
def test_item_list_queries_do_not_grow_with_items(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries, params: dict[str, str]
) -> None:
    department = Department.objects.create(
        code="querytest-dept",
        name="天门市查询测试局",
        short_name="查询局",
        region=Region.objects.get(code="429006"),
    )
    bundle = Bundle.objects.create(
        code="querytest",
        name="查询测试主题",
        industry="测试业",
        lead_department=department,
        licence_name="测试证",
    )
    add_items(department, bundle, 0, 2)
    url = reverse("public:item_list")
    client.get(url, params)  # warm caches (content types, search index)
    # A full query log (9,000 entries, e.g. after seeding) would make every capture look empty.
    reset_queries()
    with CaptureQueriesContext(connection) as few:
        client.get(url, params)
    baseline = len(few)  # read now: the capture is a view on the log that reset_queries() clears

    add_items(department, bundle, 2, 40)
    client.get(url, params)  # the search index rebuilds once after the change
    reset_queries()
    with django_assert_max_num_queries(baseline):
        response = client.get(url, params)
    assert len(response.context["items"]) == 20
    assert baseline > 0
