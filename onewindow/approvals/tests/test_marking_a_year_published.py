"""The administrator marks a year's holiday schedule as entered (已录入年度安排) and enters its days
(节假日调整): a year or date outside 2004–2100 is refused with a message, not a server error, and a
year chinese_calendar does not know cannot be marked entered before any of its holidays is.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import CalendarDay, PublishedYear
from onewindow.approvals.tests.conftest import signed_in, text

pytestmark = pytest.mark.django_db

SOURCE = "国务院办公厅关于2027年部分节假日安排的通知"


def year_marked(year: str) -> tuple[int, str]:
    response = signed_in(User.objects.get(username="admin")).post(
        reverse("admin:approvals_publishedyear_add"), {"year": year, "source": SOURCE}, follow=True
    )
    return response.status_code, text(response)


def day_entered(day: str) -> tuple[int, str]:
    response = signed_in(User.objects.get(username="admin")).post(
        reverse("admin:approvals_calendarday_add"),
        {"date": day, "kind": CalendarDay.Kind.HOLIDAY, "note": "元旦"},
        follow=True,
    )
    return response.status_code, text(response)


@pytest.mark.parametrize("year", ["0", "1", "27", "2003", "2101", "10000"])
def test_a_year_outside_2004_to_2100_is_refused_with_a_message(year: str) -> None:
    status, page = year_marked(year)

    assert status == 200
    assert "年份应在2004年至2100年之间" in page
    assert not PublishedYear.objects.exists()


def test_a_year_with_no_holidays_entered_cannot_be_marked_entered() -> None:
    status, page = year_marked("2027")

    assert status == 200
    assert "2027年还没有录入任何放假日" in page
    assert "请先在“节假日调整”中" in page
    assert not PublishedYear.objects.exists()
    # New Year's Day is not silently counted as a working day.
    assert not current_calendar().year_is_published(2027)


def test_the_year_is_marked_entered_once_its_holidays_are() -> None:
    day_entered("2027-01-01")

    year_marked("2027")

    assert PublishedYear.objects.filter(year=2027).exists()
    calendar = current_calendar()
    assert calendar.year_is_published(2027) and not calendar.is_workday(date(2027, 1, 1))


def test_a_year_the_library_knows_needs_no_rows_of_its_own() -> None:
    year_marked("2025")

    assert PublishedYear.objects.filter(year=2025).exists()


@pytest.mark.parametrize("day", ["0001-01-01", "2003-12-31", "2101-01-01", "9999-12-31"])
def test_a_holiday_outside_2004_to_2100_is_refused_with_a_message(day: str) -> None:
    status, page = day_entered(day)

    assert status == 200
    assert "日期应在2004年至2100年之间" in page
    assert not CalendarDay.objects.exists()


def test_the_database_refuses_a_year_out_of_range_written_another_way() -> None:
    with pytest.raises(IntegrityError):
        PublishedYear.objects.create(year=10000, source=SOURCE)
