"""The calendar's notices in English: worded in the reader's language when shown, stored in Chinese.

A result's warnings end up on rows that everyone reads (a branch's calendar_warning), so they keep
the source language whoever's request counted the days; a page that words the notice when it is
shown (the working-day calendar) and an error reported at once follow the reader's language.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from onewindow.lib.errors import CodedError
from onewindow.lib.workdays import (
    DayOverrides,
    UnpublishedYearError,
    WorkdayCalendar,
    stored_warnings_shown,
    unpublished_warning,
)

WARNING_2027 = "2027年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。"


def test_the_notice_for_an_unpublished_year_is_worded_in_english_when_shown() -> None:
    with translation.override("en"):
        assert unpublished_warning(2027) == (
            "The public holiday schedule for 2027 has not been entered yet; the due date was worked out "
            "with Monday to Friday as working days and may not be accurate."
        )
    assert unpublished_warning(2027) == WARNING_2027


def test_a_results_warning_stays_chinese_whoever_counted_the_days() -> None:
    with translation.override("en"):
        result = WorkdayCalendar().add(date(2026, 12, 25), 10)
    assert result.warnings == (WARNING_2027,)


def test_a_stored_warning_is_reworded_for_an_english_reader() -> None:
    stored = "；".join(WorkdayCalendar().between(date(2026, 12, 25), date(2028, 1, 10)).warnings)
    with translation.override("en"):
        shown = stored_warnings_shown(stored)
    assert shown == (
        "The public holiday schedule for 2027 has not been entered yet; the due date was worked out with "
        "Monday to Friday as working days and may not be accurate. The public holiday schedule for 2028 "
        "has not been entered yet; the due date was worked out with Monday to Friday as working days and "
        "may not be accurate."
    )
    assert stored_warnings_shown(stored) == stored, "a Chinese reader sees it as stored"


def test_a_stored_warning_the_calendar_did_not_write_is_shown_as_it_is() -> None:
    with translation.override("en"):
        assert stored_warnings_shown("请按节假日表核对") == "请按节假日表核对"
        assert stored_warnings_shown("") == ""


def test_refusing_an_unpublished_year_says_so_in_english() -> None:
    with translation.override("en"), pytest.raises(UnpublishedYearError) as error:
        WorkdayCalendar(fallback="error").add(date(2026, 12, 25), 10)
    assert error.value.message.startswith("The public holiday schedule for 2027 has not been entered yet")
    assert "holiday table" in error.value.message


def test_a_day_both_off_and_worked_is_refused_in_english() -> None:
    day = date(2027, 1, 4)
    with translation.override("en"), pytest.raises(CodedError) as error:
        DayOverrides(holidays=frozenset({day}), workdays=frozenset({day}))
    assert error.value.message == (
        "The holiday table records 2027-01-04 both as a day off and as a working day. "
        "Please delete one of the two entries."
    )
