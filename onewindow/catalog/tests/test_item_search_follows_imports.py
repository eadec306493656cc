"""The catalogue search follows a YAML import at once, even a rename that keeps the name's length."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import cache_isolated
from onewindow.bundles import api as bundles_api
from onewindow.bundles.transfer import bundle_import
from onewindow.catalog.models import ServiceItem
from onewindow.catalog.search import reset_index, search_items

pytestmark = pytest.mark.django_db

HOTEL_YAML = Path(bundles_api.__file__).resolve().parent / "data" / "hotel.yaml"


@pytest.fixture(autouse=True)
def fresh_index(tmp_path: Path) -> Iterator[None]:
    reset_index()
    # A revision file of the test's own: other processes using the data directory cannot bump it.
    with cache_isolated(bundles_api.plan_cache, tmp_path / "bundles.revision"):
        yield
    reset_index()


def found(query: str) -> list[str]:
    """Codes of the items the query matches itself (the hotel bundle's items follow them on the page)."""
    ids = search_items(query)
    codes = dict(ServiceItem.objects.filter(id__in=ids).values_list("id", "code"))
    return [codes[item_id] for item_id in ids]


def hotel_document() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(HOTEL_YAML.read_text(encoding="utf-8")))


def test_search_follows_a_yaml_import_that_renames_an_item() -> None:
    assert found("民宿") == []
    document = hotel_document()
    new_name = "宾馆酒店民宿治安许可核发"
    assert len(document["items"][0]["name"]) == len(new_name)
    document["items"][0]["name"] = new_name
    bundle_import(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    assert found("民宿") == ["special_trade_hotel_licence"]
