"""The administrator enters, corrects or deletes holidays in /admin/: the open branches' deadlines
are counted again at once, with the change on each case's timeline.

The cast: alice's hotel cases without the commitment (with it, 消防 decides within 1 working day),
accepted on 2026-12-28; their 消防 branches have 5 working days and so run into 2027, a year chinese_calendar 1.11 does not know: due 2027-01-04, counted Monday–Friday
with a warning. 赵磊 reviews 消防; the demo admin keeps the holiday table.
"""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus, CalendarDay, PublishedYear
from onewindow.approvals.services import branch_pause, branch_resume
from onewindow.approvals.tests.conftest import FIRE, branch_of, signed_in, text
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import CaseEvent

pytestmark = pytest.mark.django_db

UNPUBLISHED = "2027年的法定节假日安排尚未录入"


def on(day: date) -> mock._patch[mock.MagicMock]:
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def accepted_before_new_year(alice: User) -> Branch:
    with on(date(2026, 12, 28)):
        branch = branch_of(accepted_hotel_case(alice, {**HOTEL_FOUR_ITEMS, "use_commitment": "no"}), FIRE)
    assert branch.due_on == date(2027, 1, 4) and UNPUBLISHED in branch.calendar_warning
    return branch


def admin() -> Client:
    return signed_in(User.objects.get(username="admin"))


def new_years_day_entered(client: Client) -> str:
    response = client.post(
        reverse("admin:approvals_calendarday_add"),
        {"date": "2027-01-01", "kind": CalendarDay.Kind.HOLIDAY, "note": "元旦"},
        follow=True,
    )
    assert CalendarDay.objects.filter(date=date(2027, 1, 1)).exists(), text(response)
    return text(response)


def year_2027_entered(client: Client) -> None:
    response = client.post(
        reverse("admin:approvals_publishedyear_add"),
        {"year": "2027", "source": "国务院办公厅关于2027年部分节假日安排的通知"},
        follow=True,
    )
    assert PublishedYear.objects.filter(year=2027).exists(), text(response)


def recomputed(branch: Branch) -> list[tuple[str, str]]:
    """The branch's due-date changes on its case's timeline, oldest first."""
    events = CaseEvent.objects.filter(
        case_id=branch.case_id, action="branch_due_recomputed", data__item=branch.item.code
    ).order_by("seq")
    return [(e.data["due_on_before"], e.data["due_on"]) for e in events]


def test_a_holiday_entered_moves_the_due_date_and_the_warning_goes(alice: User, fire: User) -> None:
    branch = accepted_before_new_year(alice)
    client = admin()

    told = new_years_day_entered(client)
    year_2027_entered(client)

    branch.refresh_from_db()
    assert branch.due_on == date(2027, 1, 5), "New Year's Day is off: one working day later"
    assert branch.calendar_warning == ""
    assert "已按新的节假日安排重新计算" in told
    with on(date(2026, 12, 29)):
        page = text(signed_in(fire).get(reverse("approvals:branch", args=[branch.pk])))
    assert UNPUBLISHED not in page
    assert "2027-01-05" in page
    assert "节假日安排调整，重新计算到期日" in page
    assert "到期日由 2027-01-04 改为 2027-01-05" in page


def test_one_event_per_moved_date_and_none_for_a_warning(alice: User) -> None:
    """The holiday moves the date (one event); entering the year afterwards only takes the warning
    away, which changes nothing for the case."""
    branch = accepted_before_new_year(alice)
    client = admin()

    new_years_day_entered(client)
    year_2027_entered(client)

    assert recomputed(branch) == [("2027-01-04", "2027-01-05")]
    event = CaseEvent.objects.get(
        case_id=branch.case_id, data__item=branch.item.code, action="branch_due_recomputed"
    )
    assert event.actor == User.objects.get(username="admin")


def test_deleting_the_holiday_moves_the_date_back(alice: User) -> None:
    branch = accepted_before_new_year(alice)
    client = admin()
    new_years_day_entered(client)
    row = CalendarDay.objects.get(date=date(2027, 1, 1))

    client.post(reverse("admin:approvals_calendarday_delete", args=[row.pk]), {"post": "yes"})

    branch.refresh_from_db()
    assert branch.due_on == date(2027, 1, 4)
    assert recomputed(branch) == [("2027-01-04", "2027-01-05"), ("2027-01-05", "2027-01-04")]


def test_a_pause_over_the_new_holiday_is_counted_again(alice: User, fire: User) -> None:
    """Paused 2026-12-29 and resumed 2027-01-04 before 2027 was entered, the pause counted New Year's
    Day as a working day (4 days). With the holiday entered it lasted 3, and the due date, counted
    past the holiday, stays where it belongs instead of moving one day too late."""
    branch = accepted_before_new_year(alice)
    with on(date(2026, 12, 29)):
        branch_pause(branch_id=branch.pk, reviewer=fire, reason="expert", note="委托第三方检测")
    with on(date(2027, 1, 4)):
        branch_resume(branch_id=branch.pk, reviewer=fire)
    branch.refresh_from_db()
    assert (branch.paused_workdays, branch.due_on) == (4, date(2027, 1, 8))

    new_years_day_entered(admin())

    branch.refresh_from_db()
    assert (branch.paused_workdays, branch.due_on) == (3, date(2027, 1, 8))


def test_decided_branches_keep_their_dates(alice: User, fire: User) -> None:
    from onewindow.approvals.services import branch_approve

    branch = accepted_before_new_year(alice)
    with on(date(2026, 12, 30)):
        branch_approve(branch_id=branch.pk, reviewer=fire, permit_number="", valid_until=None)

    new_years_day_entered(admin())

    branch.refresh_from_db()
    assert branch.status == BranchStatus.APPROVED and branch.due_on == date(2027, 1, 4)
    assert recomputed(branch) == []


def test_the_recount_reads_in_the_reviewers_language(alice: User, fire: User) -> None:
    """The step is the system's: its label and the dates say everything, in English on English
    pages, with no Chinese sentence stored beside them."""
    branch = accepted_before_new_year(alice)
    new_years_day_entered(admin())

    reviewer = signed_in(fire)
    reviewer.cookies["django_language"] = "en"
    with on(date(2026, 12, 29)):
        page = text(reviewer.get(reverse("approvals:branch", args=[branch.pk])))

    assert "Due date recounted after a change to the holiday schedule" in page
    assert "Due date moved from 2027-01-04 to 2027-01-05" in page
    assert "节假日安排调整" not in page
