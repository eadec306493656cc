"""Typing the trade one wants to open finds its 一业一证 bundle and the items it involves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.bundles.models import Bundle
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.search import reset_index, search_items

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    reset_index()
    yield
    reset_index()


def search_page(client: Client, query: str, **filters: str) -> Any:
    response = client.get(reverse("public:item_list"), {"q": query, **filters})
    assert response.status_code == 200
    return response


def codes(response: Any) -> list[str]:
    return [item.code for item in response.context["items"]]


def related_bundles(response: Any) -> list[str]:
    return [bundle.code for bundle in response.context["search"].bundles]


def bundle_item_codes(code: str) -> list[str]:
    bundle = Bundle.objects.get(code=code)
    return [
        entry.item.code
        for entry in bundle.bundle_items.select_related("item").order_by("order", "id")
        if entry.item.is_published
    ]


def direct_codes(query: str) -> list[str]:
    ids = search_items(query)
    by_id = dict(ServiceItem.objects.filter(id__in=ids).values_list("id", "code"))
    return [by_id[item_id] for item_id in ids]


@pytest.mark.parametrize(
    ("query", "bundle"),
    [
        ("宾馆", "hotel"),
        ("酒店", "hotel"),
        ("民宿", "hotel"),
        ("我想开个小酒店", "hotel"),
        ("便利店", "convenience_store"),
        ("开便利店", "convenience_store"),
        ("超市", "convenience_store"),
    ],
)
def test_a_trade_no_item_names_finds_its_bundle_and_all_its_items(
    client: Client, query: str, bundle: str
) -> None:
    response = search_page(client, query)
    body = response.content.decode()
    assert related_bundles(response) == [bundle]
    assert 'id="related-bundles"' in body
    assert "相关主题" in body
    assert f'href="{reverse("bundles:detail", args=[bundle])}"' in body
    assert Bundle.objects.get(code=bundle).licence_name in body
    assert codes(response) == bundle_item_codes(bundle)
    assert 'id="empty-state"' not in body


def test_the_items_the_query_matches_come_first_in_their_order_then_the_bundles_items(
    client: Client,
) -> None:
    # "旅馆" names one item itself (旅馆业特种行业许可证核发) and the hotel bundle.
    direct = direct_codes("旅馆")
    assert direct == ["special_trade_hotel_licence"]
    response = search_page(client, "旅馆")
    assert related_bundles(response) == ["hotel"]
    hotel = bundle_item_codes("hotel")
    assert codes(response) == direct + [code for code in hotel if code not in direct]
    assert response.context["search"].total == len(hotel)


def test_an_industry_word_finds_the_bundle_after_the_items_that_mention_it(client: Client) -> None:
    direct = direct_codes("住宿")  # items whose conditions mention 住宿
    response = search_page(client, "住宿")
    assert related_bundles(response) == ["hotel"]
    assert codes(response)[: len(direct)] == direct
    assert set(codes(response)) == set(direct) | set(bundle_item_codes("hotel"))


@pytest.mark.parametrize("query", ["卫生", "烟草", "消防", "食品", "游泳", "许可", "窗口", "开办"])
def test_a_query_for_an_item_or_the_procedure_brings_no_bundle(client: Client, query: str) -> None:
    """The hotel bundle's summary lists 卫生健康、烟草、消防…, and both summaries say 开办 and 窗口."""
    response = search_page(client, query)
    assert related_bundles(response) == []
    assert 'id="related-bundles"' not in response.content.decode()
    assert codes(response) == direct_codes(query)[:20]


def test_filters_apply_to_the_bundles_items_too(client: Client) -> None:
    response = search_page(client, "宾馆", department="429006-xf")
    assert codes(response) == ["fire_safety_check"]
    assert related_bundles(response) == ["hotel"]


def test_an_unpublished_bundle_is_not_offered(client: Client) -> None:
    Bundle.objects.filter(code="hotel").update(is_published=False)
    response = search_page(client, "宾馆")
    assert related_bundles(response) == []
    assert codes(response) == []
    assert 'id="empty-state"' in response.content.decode()


# ---------------------------------------------------------------- 卫生 and the legal basis


def test_hygiene_does_not_find_the_outdoor_advertising_approval(client: Client) -> None:
    """Its legal basis is 《城市市容和环境卫生管理条例》: 环境卫生 is street cleaning, not hygiene."""
    found = codes(search_page(client, "卫生"))
    assert found == ["public_place_hygiene_licence"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("环境卫生", "large_outdoor_sign_approval"),
        ("市容", "large_outdoor_sign_approval"),
        ("412号", "large_outdoor_sign_approval"),
        ("烟草专卖法", "tobacco_retail_licence"),
        ("公共场所卫生管理条例", "public_place_hygiene_licence"),
    ],
)
def test_a_word_of_the_legal_basis_still_finds_the_item(client: Client, query: str, code: str) -> None:
    assert code in codes(search_page(client, query))


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("餐饮", "food_business_licence"),
        ("饭店", "food_business_licence"),
        ("书店", "publication_retail_licence"),
        ("卖烟", "tobacco_retail_licence"),
    ],
)
def test_an_everyday_word_for_a_business_finds_the_item_that_licenses_it(query: str, code: str) -> None:
    assert code in direct_codes(query)[:3]
