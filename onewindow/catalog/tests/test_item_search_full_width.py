"""Searching the catalogue with full-width digits and letters, as a Chinese input method types them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.catalog.models import Department, Region, ServiceItem
from onewindow.catalog.search import reset_index

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    reset_index()
    yield
    reset_index()


def found(client: Client, query: str) -> list[str]:
    return [item.code for item in client.get(reverse("public:item_list"), {"q": query}).context["items"]]


@pytest.mark.parametrize(
    ("full_width", "half_width"), [("３１９６２", "31962"), ("ＧＢ／Ｔ　３１９６２", "GB/T 31962")]
)
def test_a_full_width_query_finds_what_the_half_width_one_finds(
    client: Client, full_width: str, half_width: str
) -> None:
    """The sewage permit's conditions cite GB/T 31962."""
    assert "sewage_discharge_permit" in found(client, half_width)
    assert found(client, full_width) == found(client, half_width)


def test_an_item_named_in_full_width_letters_is_found_with_half_width_ones(client: Client) -> None:
    department = Department.objects.create(
        code="widthtest-dept",
        name="天门市全角测试局",
        short_name="全角局",
        region=Region.objects.get(code="429006"),
    )
    ServiceItem.objects.create(
        code="widthtest-ktv",
        name="全角测试ＫＴＶ经营许可",
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
    assert found(client, "ktv") == ["widthtest-ktv"]
    assert found(client, "全角测试KTV经营许可")[0] == "widthtest-ktv"
