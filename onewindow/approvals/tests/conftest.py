"""Fixtures for approvals tests: the demo cast and alice's accepted hotel case.

The cast: alice applies (demo "applicant"), bob is another applicant; police (王强) and fire (赵磊)
are the demo reviewers of 公安 and 消防, fire2 (钱军) a second reviewer of 消防.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import Client

from conftest import accepted_hotel_case
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch
from onewindow.cases.errors import CaseConflict
from onewindow.cases.models import Case

# In the four-item hotel case 公安's special-trade branch waits for 消防's opinion.
FIRE = "429006-xf"
POLICE = "429006-ga"


@pytest.fixture
def police(db: None) -> User:
    """The demo reviewer of 公安 (429006-ga)."""
    return User.objects.get(username="reviewer")


@pytest.fixture
def fire(db: None) -> User:
    """The demo reviewer of 消防 (429006-xf)."""
    return User.objects.get(username="reviewer_fire")


@pytest.fixture
def fire2(fire: User) -> User:
    """钱军, a second reviewer of 消防."""
    return second_fire_reviewer(fire)


def second_fire_reviewer(fire: User) -> User:
    """钱军, created once: transactional tests build their cast without fixtures."""
    user, _created = User.objects.get_or_create(
        username="fire2",
        defaults={"role": Role.REVIEWER, "department": fire.department, "display_name": "钱军"},
    )
    return user


@pytest.fixture
def case(alice: User) -> Case:
    """Alice's four-item hotel case, accepted: 消防's branch is pending, 公安's waits for it."""
    return accepted_hotel_case(alice)


def branch_of(case: Case, department: str) -> Branch:
    return Branch.objects.select_related("item", "department").get(case=case, department__code=department)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    return response.content.decode()


# ---------------------------------------------------------------- transactional tests


def race(actions: dict[str, Callable[[], object]]) -> dict[str, object]:
    """Run the actions at the same moment, each in its own thread and database connection.

    Returns, per action, "won", the code of the CaseConflict it lost with, or any other exception.
    """
    start = threading.Barrier(len(actions))
    outcomes: dict[str, object] = {}

    def run(name: str, act: Callable[[], object]) -> None:
        try:
            start.wait(timeout=10)
            act()
            outcomes[name] = "won"
        except CaseConflict as exc:
            outcomes[name] = exc.code
        except Exception as exc:  # surfaced by the caller's assertion, with its type
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name, act)) for name, act in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
