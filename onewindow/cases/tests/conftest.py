"""Fixtures for case tests: the demo enterprises and a filled hotel case."""

from __future__ import annotations

import pytest

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, demo_enterprises_create, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_start


@pytest.fixture
def enterprises(db: None) -> list[Enterprise]:
    return demo_enterprises_create()


@pytest.fixture
def alice(enterprises: list[Enterprise]) -> User:
    """The demo applicant, owner of 天门市悦来宾馆有限公司."""
    return User.objects.get(username="applicant")


@pytest.fixture
def bob(enterprises: list[Enterprise]) -> User:
    """Another applicant, with his own enterprise and no access to alice's cases."""
    user = User.objects.create_user(
        username="bob", password="Bob-pass-2026", role=Role.APPLICANT, enterprise=enterprises[1]
    )
    return user


@pytest.fixture
def clerk(db: None) -> User:
    return User.objects.get(username="clerk")


@pytest.fixture
def filled_case(alice: User) -> Case:
    """A hotel case with four items (special trade, fire safety, hygiene, food business), ready to submit."""
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, alice)
    return case
