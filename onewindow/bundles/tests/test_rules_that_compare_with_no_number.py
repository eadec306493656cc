"""A rule whose threshold is no number (NaN, Infinity: saved before imports refused them) holds for no
answer; the questionnaire and the plan keep working."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.bundles.models import Rule
from onewindow.bundles.planner import plan_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("threshold", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_a_threshold_that_is_no_number_selects_nothing_and_breaks_nothing(
    client: Client, threshold: str
) -> None:
    Rule.objects.filter(bundle__code="hotel", question__code="daily_discharge").update(value=threshold)

    plan = plan_for("hotel", {"daily_discharge": "3"})
    page = client.get("/bundles/hotel/", {"daily_discharge": "3"})

    assert "sewage_discharge_permit" not in {p.item.code for p in plan.items}
    assert page.status_code == 200


def test_a_number_threshold_still_selects_its_item() -> None:
    plan = plan_for("hotel", {"daily_discharge": "3"})

    assert "sewage_discharge_permit" in {p.item.code for p in plan.items}
