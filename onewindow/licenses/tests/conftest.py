"""Fixtures for licence tests: a hotel case taken through approval, and its licence once issued."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.cases.demo import approve_all, demo_enterprises_create
from onewindow.cases.models import Case
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import licence_issue


@pytest.fixture
def approved_case(db: None) -> Callable[..., Case]:
    def make(answers: dict[str, str] | None = None) -> Case:
        demo_enterprises_create()
        case = accepted_hotel_case(User.objects.get(username="applicant"), answers)
        approve_all(case)
        case.refresh_from_db()
        return case

    return make


@pytest.fixture
def issuer(db: None) -> User:
    return User.objects.get(username="issuer")


@pytest.fixture
def issued(approved_case: Callable[..., Case], issuer: User) -> ComprehensiveLicense:
    """The comprehensive licence of a freshly approved four-item hotel case."""
    return licence_issue(case=approved_case(), issuer=issuer)
