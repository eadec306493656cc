"""`onewindow workdays`: due dates across Spring Festival, National Day, make-up days and unpublished years."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from onewindow.approvals.models import CalendarDay, PublishedYear


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    call_command("workdays", *args)
    captured = capsys.readouterr()
    return captured.out.strip(), captured.err.strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2024-09-30", 1, "2024-10-08"),  # National Day 2024: 1–7 October off
        ("2024-09-27", 1, "2024-09-29"),  # Sunday 29 September 2024 was a make-up working day
        ("2024-02-09", 1, "2024-02-18"),  # Spring Festival 2024: 10–17 Feb off, Sunday 18 Feb worked
        ("2023-01-20", 1, "2023-01-28"),  # Spring Festival 2023: 21–27 Jan off, Saturday 28 Jan worked
        (
            "2023-09-28",
            1,
            "2023-10-07",
        ),  # Mid-Autumn + National Day 2023: 29 Sep – 6 Oct off, Sat 7 Oct worked
        ("2025-01-27", 1, "2025-02-05"),  # Spring Festival 2025: 28 Jan – 4 Feb off
        ("2025-09-30", 1, "2025-10-09"),  # National Day 2025: 1–8 October off
        ("2026-02-13", 1, "2026-02-14"),  # Saturday 14 Feb 2026 was a make-up working day
        ("2026-11-27", 0, "2026-11-27"),
    ],
)
def test_add_counts_official_working_days(start: str, days: int, expected: str, capsys) -> None:
    out, err = run("add", start, str(days), capsys=capsys)
    assert out == expected
    assert err == ""


@pytest.mark.django_db
def test_between_counts_make_up_days(capsys) -> None:
    out, _err = run("between", "2024-09-27", "2024-10-12", capsys=capsys)
    # 29 and 30 September, 8–11 October and the make-up Saturday 12 October.
    assert out == "7"


@pytest.mark.django_db
def test_unpublished_year_warns_and_counts_weekdays(capsys) -> None:
    out, err = run("add", "2026-12-30", "5", capsys=capsys)
    assert out == "2027-01-06"
    assert "2027年的法定节假日安排尚未录入" in err


@pytest.mark.django_db
def test_admin_entered_schedule_is_used_without_warning(capsys) -> None:
    PublishedYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, note="元旦")
    out, err = run("add", "2026-12-30", "5", capsys=capsys)
    assert out == "2027-01-07"
    assert err == ""


@pytest.mark.django_db
def test_admin_make_up_day_overrides_the_library(capsys) -> None:
    # Saturday 2026-11-28 entered as a working day by the administrator.
    CalendarDay.objects.create(date=date(2026, 11, 28), kind=CalendarDay.Kind.WORKDAY, note="调休上班")
    out, _err = run("add", "2026-11-27", "1", capsys=capsys)
    assert out == "2026-11-28"


@pytest.mark.django_db
@override_settings(WORKDAYS_FALLBACK="error")
def test_unpublished_year_can_be_refused() -> None:
    with pytest.raises(CommandError, match="2027年的法定节假日安排尚未录入"):
        call_command("workdays", "add", "2026-12-30", "5")


@pytest.mark.django_db
def test_bad_date_is_a_chinese_error() -> None:
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("workdays", "add", "2026-13-01", "5")


@pytest.mark.django_db(transaction=True)
def test_the_calendar_is_kept_until_the_admin_changes_it(django_assert_num_queries) -> None:
    from onewindow.approvals.calendar import current_calendar

    monday = date(2027, 1, 4)
    assert current_calendar().is_workday(monday)
    with django_assert_num_queries(0):
        assert current_calendar().is_workday(monday)

    # Committed at once (no surrounding transaction), as a save in the admin is.
    row = CalendarDay.objects.create(date=monday, kind=CalendarDay.Kind.HOLIDAY, note="临时调整")
    assert not current_calendar().is_workday(monday)
    row.delete()
    assert current_calendar().is_workday(monday)
