"""GET /api/v1/cases lists what 我的办件 lists: an applicant's own cases, the cases a window clerk or a
guidance agent filed for others, nothing for the other roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, Channel
from onewindow.cases.services import case_start

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def filed(alice: User, enterprises: list[Enterprise]) -> dict[str, Case]:
    """Alice's own draft, one the clerk filed for her and one the agent filed for her."""
    clerk, agent = User.objects.get(username="clerk"), User.objects.get(username="agent")
    return {
        "applicant": case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS)),
        "clerk": case_start(
            bundle_code="hotel",
            applicant=alice,
            answers=dict(HOTEL_FOUR_ITEMS),
            channel=Channel.WINDOW,
            assisted_by=clerk,
        ),
        "agent": case_start(
            bundle_code="hotel",
            applicant=alice,
            answers=dict(HOTEL_FOUR_ITEMS),
            channel=Channel.GUIDANCE,
            assisted_by=agent,
        ),
    }


@pytest.mark.parametrize("username", ["clerk", "agent"])
def test_staff_get_the_cases_they_filed_as_on_the_page(filed: dict[str, Case], username: str) -> None:
    client = as_user(User.objects.get(username=username))

    listed = [row["id"] for row in client.get("/api/v1/cases").json()]

    assert listed == [filed[username].pk]
    assert f'data-case="{filed[username].pk}"' in client.get(reverse("cases:my_cases")).content.decode()


def test_the_applicant_gets_every_case_of_his(filed: dict[str, Case], alice: User) -> None:
    listed = {row["id"] for row in as_user(alice).get("/api/v1/cases").json()}

    assert listed == {case.pk for case in filed.values()}


@pytest.mark.parametrize("username", ["reviewer", "issuer", "supervisor"])
def test_other_roles_get_an_empty_list(filed: dict[str, Case], username: str) -> None:
    assert as_user(User.objects.get(username=username)).get("/api/v1/cases").json() == []
