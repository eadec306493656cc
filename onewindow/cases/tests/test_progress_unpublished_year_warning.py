"""A due date counted into a year whose holidays nobody has entered may move; the applicant is told so.

The reviewers' pages already warned; the applicant's progress page and the case API showed the same
date as if it were certain. The cast: alice's hotel case is accepted on 2026-12-28, so every branch
falls due in January 2027, a year chinese_calendar 1.11 does not know (WORKDAYS_FALLBACK=weekends).
"""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.approvals.models import BranchStatus
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db

WARNING = "2027年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。"


@pytest.fixture
def across_new_year(alice: User) -> Case:
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 28)):
        return accepted_hotel_case(alice, {**HOTEL_FOUR_ITEMS, "use_commitment": "no"})


def test_the_progress_page_warns_that_due_dates_in_2027_may_move(
    across_new_year: Case, alice: User, client: Client
) -> None:
    pending = across_new_year.branches.filter(status=BranchStatus.PENDING)
    assert pending and all(b.due_on and b.due_on.year == 2027 for b in pending)

    client.force_login(alice)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 12, 28)):
        page = client.get(reverse("cases:progress", args=[across_new_year.pk])).content.decode()

    assert f"到期日可能变动：{WARNING}" in page, "the latest-due line carries the warning"
    assert page.count(f"到期日可能变动：{WARNING}") == 1, "one warning per year, not one per branch"
    assert page.count(f"⚠</span> {WARNING}") == pending.count(), "each open branch's date is marked"


def test_the_case_api_gives_each_branch_its_calendar_warning(
    across_new_year: Case, alice: User, client: Client
) -> None:
    client.force_login(alice)
    body = client.get(f"/api/v1/cases/{across_new_year.pk}").json()

    open_branches = [b for b in body["branches"] if b["status"] == BranchStatus.PENDING]
    assert open_branches
    assert all(b["calendar_warning"] == WARNING for b in open_branches)
    waiting = [b for b in body["branches"] if b["status"] == BranchStatus.WAITING]
    assert all(b["calendar_warning"] == "" for b in waiting)


def test_a_date_in_a_published_year_carries_no_warning(alice: User, client: Client) -> None:
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 6, 1)):
        case = accepted_hotel_case(alice, {**HOTEL_FOUR_ITEMS, "use_commitment": "no"})
        client.force_login(alice)
        page = client.get(reverse("cases:progress", args=[case.pk])).content.decode()

    assert "到期日可能变动" not in page
    assert "⚠" not in page
