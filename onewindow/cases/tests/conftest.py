"""Fixtures for case tests: the demo enterprises and alice's hotel case at each step of intake.

alice and bob, the applicants, come from the project's conftest.py.
"""

from __future__ import annotations

import pytest

from onewindow.accounts.models import Enterprise, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, demo_enterprises_create, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_start, case_submit


@pytest.fixture
def enterprises(db: None) -> list[Enterprise]:
    return demo_enterprises_create()


@pytest.fixture
def clerk(db: None) -> User:
    return User.objects.get(username="clerk")


@pytest.fixture
def draft(alice: User) -> Case:
    """A hotel case with four items (special trade, fire safety, hygiene, food business), just started."""
    return case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))


@pytest.fixture
def filled_case(draft: Case, alice: User) -> Case:
    """The draft with every form field filled and every material handed in, ready to submit."""
    fill_case(draft, alice)
    return draft


@pytest.fixture
def submitted(filled_case: Case, alice: User) -> Case:
    """The filled case, submitted: it waits at the comprehensive window."""
    return case_submit(case=filled_case, user=alice, key=f"submitted-{filled_case.pk}")


@pytest.fixture
def accepted(submitted: Case, clerk: User) -> Case:
    """The submitted case, accepted: one branch per item in the departments' queues."""
    return case_accept(case=submitted, clerk=clerk)
