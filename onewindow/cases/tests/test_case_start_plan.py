"""A new case is planned from the cached bundle, and a catalogue edit reaches the next new case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import cache_isolated, seed_again
from onewindow.accounts.models import User
from onewindow.bundles import api as bundles_api
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.services import case_start
from onewindow.catalog.models import ServiceItem


@pytest.fixture
def plan_cache(tmp_path: Path) -> Iterator[None]:
    with cache_isolated(bundles_api.plan_cache, tmp_path / "bundles.revision"):
        yield


@pytest.mark.django_db(transaction=True)
def test_an_item_renamed_in_the_catalogue_shows_in_the_next_case(
    plan_cache: None, django_assert_max_num_queries
) -> None:
    seed_again()
    alice = User.objects.get(username="applicant")

    first = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    # The bundle's eight planning queries are not repeated for the next case.
    with django_assert_max_num_queries(10):
        case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))

    fire = ServiceItem.objects.get(code=first.plan["items"][1]["code"])
    fire.name = f"{fire.name}（新版）"
    fire.save()
    later = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))

    assert fire.name in [i["name"] for i in later.plan["items"]]
    assert fire.name not in [i["name"] for i in first.plan["items"]]
