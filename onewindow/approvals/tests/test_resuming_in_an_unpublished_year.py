"""WORKDAYS_FALLBACK=error: a clock counted into a year whose holidays are not entered is refused
with the administrator's task (calendar_unpublished), on the page and in the API, never a 500.

The cast: 赵磊 (fire reviewer) pauses alice's 消防 branch in December 2026 and resumes it in
January 2027, a year chinese_calendar 1.11 does not know and nobody has entered.
"""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_pause
from onewindow.approvals.tests.conftest import FIRE, branch_of
from onewindow.cases.demo import HOTEL_FOUR_ITEMS

pytestmark = pytest.mark.django_db

TASK = "2027年的法定节假日安排尚未录入"


def on(day: date) -> mock._patch[mock.MagicMock]:
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def client_of(user: User) -> Client:
    """A signed-in client that answers a server error as a 500 page instead of raising it."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def paused(alice: User, fire: User, settings: Settings) -> Branch:
    settings.WORKDAYS_FALLBACK = "error"
    with on(date(2026, 12, 1)):
        branch = branch_of(accepted_hotel_case(alice), FIRE)
        branch_pause(branch_id=branch.pk, reviewer=fire, reason="rectification", note="补充消防设施检测报告")
    branch.refresh_from_db()
    return branch


def test_resume_on_the_page_says_the_year_must_be_entered(paused: Branch, fire: User) -> None:
    with on(date(2027, 1, 5)):
        response = client_of(fire).post(
            reverse("approvals:resume", args=[paused.pk]), {"resume-version": paused.version}
        )

    assert response.status_code == 400
    assert TASK in response.content.decode()
    assert "请管理员在节假日表中录入2027年的放假和调休安排" in response.content.decode()
    paused.refresh_from_db()
    assert paused.status == BranchStatus.PAUSED, "nothing was changed"
    assert paused.pauses.get().ended_on is None


def test_resume_in_the_api_answers_calendar_unpublished(paused: Branch, fire: User) -> None:
    with on(date(2027, 1, 5)):
        response = client_of(fire).post(
            f"/api/v1/branches/{paused.pk}/resume",
            {"version": paused.version},
            content_type="application/json",
        )

    assert response.status_code == 400, response.content.decode()
    assert response.json()["code"] == "calendar_unpublished"
    assert TASK in response.json()["message"]


def test_the_queue_api_leaves_a_due_date_it_cannot_flag_unflagged_as_the_page_does(
    alice: User, fire: User, settings: Settings
) -> None:
    """A due date counted into 2027 while the fallback was "weekends"; the operator then switches to
    "error". Neither the queue API nor the page can tell how many working days are left: both list
    the branch without an urgency flag rather than failing the whole queue."""
    with on(date(2026, 12, 28)):
        # Without the commitment: 消防's 5 working days run into 2027.
        branch = branch_of(accepted_hotel_case(alice, {**HOTEL_FOUR_ITEMS, "use_commitment": "no"}), FIRE)
    assert branch.due_on == date(2027, 1, 4)
    settings.WORKDAYS_FALLBACK = "error"
    client = client_of(fire)

    with on(date(2026, 12, 29)):
        api = client.get("/api/v1/review/queue")
        page = client.get(reverse("approvals:queue"))

    assert api.status_code == 200, api.content.decode()
    rows = {row["id"]: row for row in api.json()["items"]}
    assert rows[branch.pk]["urgency"] == ""
    assert rows[branch.pk]["due_on"] == "2027-01-04"
    assert page.status_code == 200
