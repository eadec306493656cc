"""A bundle card's "最多 N 个事项、M 个部门" is what one business can need at once: items that exclude each
other (the hotel's food business licence and its pre-packaged food filing) are not counted together,
so the card agrees with the bundle's own description."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import cache_isolated
from onewindow.bundles import api as bundles_api
from onewindow.bundles import planner
from onewindow.bundles.models import Bundle, Question, Rule
from onewindow.bundles.planner import Answer, bundle_for_planning, bundle_reach, plan_bundle

pytestmark = pytest.mark.django_db


def card_counts(body: str, code: str) -> tuple[int, int]:
    """The items and departments the card of this bundle states."""
    card = re.search(rf'<article class="card" aria-labelledby="bundle-{code}">(.*?)</article>', body, re.S)
    assert card is not None, f"no card for {code}"
    counts = re.search(r"最多 (\d+) 个事项、(\d+) 个部门", card.group(1))
    assert counts is not None, card.group(1)
    return int(counts.group(1)), int(counts.group(2))


@pytest.mark.parametrize("page", ["public:home", "bundles:list"])
def test_the_hotel_card_counts_nine_items_of_eight_departments_as_its_description_does(
    client: Client, page: str
) -> None:
    body = client.get(reverse(page)).content.decode()

    assert card_counts(body, "hotel") == (9, 8)
    assert "8个部门申请最多9项" in Bundle.objects.get(code="hotel").summary


@pytest.mark.parametrize("page", ["public:home", "bundles:list"])
def test_the_convenience_store_card_counts_five_items_of_four_departments(client: Client, page: str) -> None:
    body = client.get(reverse(page)).content.decode()

    assert card_counts(body, "convenience_store") == (5, 4)
    assert "4个部门办理5项" in Bundle.objects.get(code="convenience_store").summary


def test_the_hotels_fullest_scenario_is_a_plan_of_nine_items() -> None:
    """The scenario at the top of hotel.yaml: full meals, discharge, lifts, pool, entertainment, cigarettes."""
    hotel = bundle_for_planning("hotel")
    answers: dict[str, Answer] = {
        "food": "meals",
        "sells_cigarettes": True,
        "lifts_or_boilers": True,
        "pool": True,
        "entertainment": True,
        "daily_discharge": Decimal("5"),
    }
    fullest = plan_bundle(hotel, answers).summary

    assert (fullest.items, fullest.departments) == (9, 8)
    assert bundle_reach(hotel) == planner.Reach(items=9, departments=8)


def test_items_that_numbers_on_either_side_of_a_threshold_bring_in_are_not_counted_together() -> None:
    # The entertainment venue licence now applies only to a hotel discharging nothing, the sewage
    # permit to one discharging something: never both, and their departments never both either.
    entertainment = Rule.objects.get(
        bundle__code="hotel", target=Rule.Target.ITEM, item__code="entertainment_venue_licence"
    )
    entertainment.question = Question.objects.get(bundle__code="hotel", code="daily_discharge")
    entertainment.operator = Rule.Operator.LTE
    entertainment.value = "0"
    entertainment.save()

    assert bundle_reach(bundle_for_planning("hotel")) == planner.Reach(items=8, departments=7)


def test_a_bundle_with_too_many_combinations_to_try_is_still_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(planner, "MAX_COMBINATIONS", 1)

    assert bundle_reach(bundle_for_planning("hotel")) == planner.Reach(items=9, departments=8)
    assert bundle_reach(bundle_for_planning("convenience_store")) == planner.Reach(items=5, departments=4)


@pytest.fixture
def plan_cache(db: None, tmp_path: Path) -> Iterator[None]:
    """The per-process plan cache keeping what it reads although the test runs inside a transaction."""
    with cache_isolated(bundles_api.plan_cache, tmp_path / "bundles.revision", keep_in_transactions=True):
        yield


def home_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("public:home"))
    return len(queries)


def test_the_cards_are_not_worked_out_again_on_every_visit(client: Client, plan_cache: None) -> None:
    first = home_queries(client)

    assert home_queries(client) < first


def test_an_admin_edit_that_lets_both_food_items_apply_reaches_the_cards(
    client: Client, plan_cache: None, django_capture_on_commit_callbacks: Any
) -> None:
    assert card_counts(client.get(reverse("public:home")).content.decode(), "hotel") == (9, 8)

    with django_capture_on_commit_callbacks(execute=True):
        prepackaged = Rule.objects.get(
            bundle__code="hotel", target=Rule.Target.ITEM, item__code="prepackaged_food_filing"
        )
        prepackaged.question = Question.objects.get(bundle__code="hotel", code="sells_cigarettes")
        prepackaged.value = "yes"
        prepackaged.save()

    assert card_counts(client.get(reverse("public:home")).content.decode(), "hotel") == (10, 8)
    assert card_counts(client.get(reverse("bundles:list")).content.decode(), "hotel") == (10, 8)
