"""Handing a licence over never fails on the calendar: the case's elapsed working days are a statistic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from unittest import mock

from django.utils import timezone
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.licenses.services import delivery_choose, delivery_hand_over, licence_issue


def test_a_pickup_in_a_year_without_a_schedule_closes_the_case_with_the_weekday_count(
    approved_case: Callable[..., Case], issuer: User, settings: Settings
) -> None:
    case = approved_case()
    licence = licence_issue(case=case, issuer=issuer)
    delivery = delivery_choose(licence=licence, user=case.applicant, method="pickup")
    settings.WORKDAYS_FALLBACK = "error"
    assert case.submitted_at is not None
    submitted = timezone.localdate(case.submitted_at)
    # Two weeks into 2027 (no schedule published yet): ten weekdays after 2027-01-01, plus the rest of
    # the submission's year.
    with mock.patch(
        "django.utils.timezone.localdate", side_effect=lambda *a: date(2027, 1, 15) if not a else submitted
    ):
        delivery_hand_over(licence=licence, staff=issuer, pickup_code=delivery.pickup_code)

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.elapsed_workdays is not None and case.elapsed_workdays >= 11
