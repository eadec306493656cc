"""Due dates and elapsed working days across real holidays, make-up days and unpublished years.

The holiday dates asserted here are those of the State Council's notices (国务院办公厅关于
20xx年部分节假日安排的通知), not read back from chinese_calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.lib import workdays
from onewindow.lib.errors import CodedError
from onewindow.lib.workdays import DayOverrides, UnpublishedYearError, WorkdayCalendar

WARNING_2027 = "2027年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。"


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


# ---------------------------------------------------------------- Spring Festival


def test_spring_festival_2023_week_off_and_weekend_worked(calendar: WorkdayCalendar) -> None:
    # 1月21日至27日放假；1月28日（周六）、29日（周日）上班.
    assert not any(calendar.is_workday(d) for d in _span(date(2023, 1, 21), date(2023, 1, 27)))
    assert calendar.is_workday(date(2023, 1, 28))
    assert calendar.is_workday(date(2023, 1, 29))
    # Accepted on Friday 20 January: 5 working days are 28, 29, 30, 31 January and 1 February.
    assert calendar.add(date(2023, 1, 20), 5).date == date(2023, 2, 1)


def test_spring_festival_2024_with_two_sunday_make_up_days(calendar: WorkdayCalendar) -> None:
    # 2月10日至17日放假；2月4日（周日）、2月18日（周日）上班；除夕2月9日是工作日.
    assert calendar.is_workday(date(2024, 2, 4))
    assert calendar.is_workday(date(2024, 2, 9))
    assert not any(calendar.is_workday(d) for d in _span(date(2024, 2, 10), date(2024, 2, 17)))
    assert calendar.is_workday(date(2024, 2, 18))
    assert calendar.add(date(2024, 2, 2), 1).date == date(2024, 2, 4)
    assert calendar.add(date(2024, 2, 9), 1).date == date(2024, 2, 18)
    # February 2–29 has 20 weekdays; minus 12–16 February, plus the two Sundays.
    assert calendar.between(date(2024, 2, 1), date(2024, 2, 29)).days == 17


def test_spring_festival_2025(calendar: WorkdayCalendar) -> None:
    # 1月28日至2月4日放假；1月26日（周日）、2月8日（周六）上班.
    assert calendar.add(date(2025, 1, 24), 1).date == date(2025, 1, 26)
    assert calendar.add(date(2025, 1, 27), 1).date == date(2025, 2, 5)
    assert calendar.add(date(2025, 2, 5), 3).date == date(2025, 2, 8)
    assert calendar.between(date(2025, 1, 27), date(2025, 2, 8)).days == 4


def test_spring_festival_2026_nine_days_off(calendar: WorkdayCalendar) -> None:
    # 2月15日至23日放假；2月14日（周六）、2月28日（周六）上班.
    assert calendar.add(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    assert calendar.add(date(2026, 2, 14), 1).date == date(2026, 2, 24)
    assert not any(calendar.is_workday(d) for d in _span(date(2026, 2, 15), date(2026, 2, 23)))
    assert calendar.between(date(2026, 2, 13), date(2026, 2, 28)).days == 6


# ---------------------------------------------------------------- National Day


def test_national_day_2023_with_mid_autumn(calendar: WorkdayCalendar) -> None:
    # 9月29日至10月6日放假；10月7日（周六）、10月8日（周日）上班.
    assert not any(calendar.is_workday(d) for d in _span(date(2023, 9, 29), date(2023, 10, 6)))
    assert calendar.add(date(2023, 9, 28), 1).date == date(2023, 10, 7)
    assert calendar.between(date(2023, 9, 28), date(2023, 10, 9)).days == 3


def test_national_day_2024(calendar: WorkdayCalendar) -> None:
    # 10月1日至7日放假；9月29日（周日）、10月12日（周六）上班.
    assert not any(calendar.is_workday(d) for d in _span(date(2024, 10, 1), date(2024, 10, 7)))
    assert calendar.is_workday(date(2024, 9, 29))
    assert calendar.is_workday(date(2024, 10, 12))
    assert calendar.add(date(2024, 9, 27), 1).date == date(2024, 9, 29)
    assert calendar.add(date(2024, 9, 30), 1).date == date(2024, 10, 8)


def test_twenty_day_statutory_limit_across_national_day_2024(calendar: WorkdayCalendar) -> None:
    # Accepted Friday 20 September: 23–27 Sep (5), 29–30 Sep (7), 8–12 Oct (12), 14–18 Oct (17),
    # 21–23 Oct (20).
    result = calendar.add(date(2024, 9, 20), 20)
    assert result.date == date(2024, 10, 23)
    assert result.warnings == ()


def test_national_day_2025_eight_days_off(calendar: WorkdayCalendar) -> None:
    # 10月1日至8日放假；9月28日（周日）、10月11日（周六）上班.
    assert calendar.add(date(2025, 9, 30), 1).date == date(2025, 10, 9)
    assert calendar.between(date(2025, 9, 26), date(2025, 10, 11)).days == 6


# ---------------------------------------------------------------- counting rules


def test_start_day_is_not_counted(calendar: WorkdayCalendar) -> None:
    assert calendar.add(date(2024, 3, 4), 1).date == date(2024, 3, 5)
    assert calendar.add(date(2024, 3, 8), 1).date == date(2024, 3, 11)


def test_zero_days_returns_the_start_even_on_a_holiday(calendar: WorkdayCalendar) -> None:
    assert calendar.add(date(2024, 10, 1), 0).date == date(2024, 10, 1)


def test_negative_days_count_back_over_the_holiday(calendar: WorkdayCalendar) -> None:
    assert calendar.add(date(2024, 10, 8), -1).date == date(2024, 9, 30)
    assert calendar.add(date(2024, 10, 8), -2).date == date(2024, 9, 29)


def test_between_same_day_is_zero_and_reversed_is_negative(calendar: WorkdayCalendar) -> None:
    assert calendar.between(date(2024, 10, 8), date(2024, 10, 8)).days == 0
    # 29–30 Sep and 8–12 Oct, counted backwards.
    assert calendar.between(date(2024, 10, 12), date(2024, 9, 27)).days == -7


def test_datetime_counts_as_its_date(calendar: WorkdayCalendar) -> None:
    assert calendar.add(datetime(2024, 9, 30, 16, 45), 1).date == date(2024, 10, 8)
    assert not calendar.is_workday(datetime(2024, 10, 1, 9, 0))


@given(st.dates(min_value=date(2004, 1, 1), max_value=date(2025, 12, 31)), st.integers(1, 250))
def test_counting_back_the_days_added_gives_n(start: date, n: int) -> None:
    # An admin holiday near the start, so the property holds with overrides as well.
    calendar = WorkdayCalendar(DayOverrides(holidays=frozenset({start + timedelta(days=3)})))
    due = calendar.add(start, n).date
    assert due > start
    assert calendar.is_workday(due)
    assert calendar.between(start, due).days == n
    if calendar.is_workday(start):
        assert calendar.add(due, -n).date == start


def test_a_year_is_computed_once_for_many_deadlines(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = chinese_calendar.get_workdays

    def counting(start: date, end: date, *args: Any) -> Any:
        calls.append(start.year)
        return original(start, end, *args)

    monkeypatch.setattr(chinese_calendar, "get_workdays", counting)
    workdays._library_workdays.cache_clear()
    dues = [WorkdayCalendar().add(date(2024, 1, 1) + timedelta(days=i), 30).date for i in range(366)]
    # 2–5 Jan (4), 8–31 Jan (22), 1–2 Feb (24), Sunday 4 Feb (25), 5–9 Feb (30).
    assert dues[0] == date(2024, 2, 9)
    assert sorted(calls) == [2024, 2025]


# ---------------------------------------------------------------- unpublished years and overrides


def test_unpublished_year_falls_back_to_weekdays_with_a_warning(calendar: WorkdayCalendar) -> None:
    # 28–31 Dec 2026 (4), 1 Jan 2027 counted as a Friday (5), 4–8 Jan (10).
    result = calendar.add(date(2026, 12, 25), 10)
    assert result.date == date(2027, 1, 8)
    assert result.warnings == (WARNING_2027,)
    assert not calendar.year_is_published(2027)


def test_deadline_inside_a_published_year_has_no_warning(calendar: WorkdayCalendar) -> None:
    assert calendar.add(date(2026, 12, 1), 10).warnings == ()
    assert calendar.year_is_published(2026)


def test_count_over_unpublished_years_warns_once_per_year(calendar: WorkdayCalendar) -> None:
    result = calendar.between(date(2026, 12, 31), date(2028, 12, 31))
    # 2027 starts on a Friday (261 weekdays); leap 2028 starts on a Saturday (260).
    assert result.days == 521
    assert result.warnings == (WARNING_2027, WARNING_2027.replace("2027", "2028"))


def test_unpublished_year_with_error_fallback_tells_the_admin_what_to_enter() -> None:
    calendar = WorkdayCalendar(fallback="error")
    with pytest.raises(UnpublishedYearError) as error:
        calendar.add(date(2026, 12, 25), 10)
    assert error.value.code == "calendar_unpublished"
    assert "2027年的法定节假日安排尚未录入" in error.value.message
    assert "节假日表" in error.value.message
    assert calendar.add(date(2026, 12, 1), 10).date == date(2026, 12, 15)


def test_admin_published_2027_changes_the_due_date() -> None:
    overrides = DayOverrides(holidays=frozenset({date(2027, 1, 1)}), published_years=frozenset({2027}))
    calendar = WorkdayCalendar(overrides, fallback="error")
    result = calendar.add(date(2026, 12, 25), 10)
    assert result.date == date(2027, 1, 11)
    assert result.warnings == ()
    assert calendar.year_is_published(2027)


def test_admin_holidays_apply_even_before_the_year_is_marked_published() -> None:
    calendar = WorkdayCalendar(DayOverrides(holidays=frozenset({date(2027, 1, 1)})))
    result = calendar.add(date(2026, 12, 25), 10)
    assert result.date == date(2027, 1, 11)
    assert result.warnings == (WARNING_2027,)


def test_admin_override_corrects_a_published_year() -> None:
    # A local rule giving 除夕 2024 off, and a Saturday worked instead.
    overrides = DayOverrides(holidays=frozenset({date(2024, 2, 9)}), workdays=frozenset({date(2024, 2, 24)}))
    calendar = WorkdayCalendar(overrides)
    assert calendar.add(date(2024, 2, 8), 1).date == date(2024, 2, 18)
    assert calendar.between(date(2024, 2, 23), date(2024, 2, 26)).days == 2


def test_a_day_entered_as_both_holiday_and_workday_is_refused() -> None:
    with pytest.raises(CodedError, match="2027-01-04既登记为放假又登记为上班") as error:
        DayOverrides(holidays=frozenset({date(2027, 1, 4)}), workdays=frozenset({date(2027, 1, 4)}))
    assert error.value.code == "calendar_override_conflict"


def test_unknown_fallback_is_refused() -> None:
    with pytest.raises(ValueError, match="fallback"):
        WorkdayCalendar(fallback="guess")
