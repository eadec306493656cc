"""Per-process caches follow the rows they were read from, inside and outside transactions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from conftest import cache_isolated
from onewindow.approvals.calendar import calendar_cache, current_calendar
from onewindow.approvals.models import CalendarDay
from onewindow.bundles import api as bundles_api
from onewindow.bundles.api import plan_for_case
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.catalog.models import ServiceItem

pytestmark = [pytest.mark.django_db(transaction=True)]

MONDAY = date(2027, 1, 4)


class RolledBack(Exception):
    pass


@pytest.fixture(autouse=True)
def _own_revisions(tmp_path: Path) -> Iterator[None]:
    # Tests that commit start from an empty database (an earlier one may have emptied it).
    call_command("seed", "--without-cases", verbosity=0)
    with (
        cache_isolated(bundles_api.plan_cache, tmp_path / "bundles.revision"),
        cache_isolated(calendar_cache, tmp_path / "calendar.revision"),
    ):
        yield


def item_names() -> list[str]:
    return [plan_item.item.name for plan_item in plan_for_case("hotel", HOTEL_FOUR_ITEMS).items]


def test_a_transaction_plans_from_the_kept_bundle_until_it_changes_a_row(
    django_assert_num_queries, django_assert_max_num_queries
) -> None:
    before = item_names()  # kept: read outside a transaction
    with transaction.atomic():
        with django_assert_num_queries(0):
            assert item_names() == before
        item = ServiceItem.objects.get(name=before[0])
        item.name = "改名后的事项"
        item.save()
        # The transaction sees its own edit, not the plan kept from before it.
        assert item_names()[0] == "改名后的事项"
        with django_assert_max_num_queries(20):
            item_names()
        assert len(bundles_api.plan_cache.generation()) == 0  # read inside the transaction: not kept
    assert item_names()[0] == "改名后的事项"


def holiday_added_then_rolled_back() -> None:
    with transaction.atomic():
        CalendarDay.objects.create(date=MONDAY, kind=CalendarDay.Kind.HOLIDAY, note="临时调整")
        assert not current_calendar().is_workday(MONDAY)
        raise RolledBack


def test_a_rolled_back_change_leaves_nothing_behind() -> None:
    assert current_calendar().is_workday(MONDAY)
    with pytest.raises(RolledBack):
        holiday_added_then_rolled_back()
    assert current_calendar().is_workday(MONDAY)
    assert not CalendarDay.objects.filter(date=MONDAY).exists()
