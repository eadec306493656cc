"""Fixtures for licence tests: a hotel case taken through approval."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from onewindow.accounts.models import User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, approve_all, demo_enterprises_create, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_start, case_submit


@pytest.fixture
def approved_case(db: None) -> Callable[..., Case]:
    def make(answers: dict[str, str] | None = None) -> Case:
        demo_enterprises_create()
        applicant = User.objects.get(username="applicant")
        clerk = User.objects.get(username="clerk")
        case = case_start(bundle_code="hotel", applicant=applicant, answers=answers or dict(HOTEL_FOUR_ITEMS))
        fill_case(case, applicant)
        case_submit(case=case, user=applicant, key=f"lic-{case.pk}")
        case_accept(case=case, clerk=clerk)
        approve_all(case)
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def issuer(db: None) -> User:
    return User.objects.get(username="issuer")
