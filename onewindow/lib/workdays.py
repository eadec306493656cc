"""Count Chinese official working days for statutory time limits (holidays, weekends and 调休)."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import chinese_calendar
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from onewindow.lib.errors import CodedError

FALLBACKS = ("weekends", "error")

_ONE_DAY = timedelta(days=1)


class UnpublishedYearError(CodedError):
    """A limit reaches a year whose holiday schedule is not known and the calendar may not guess."""

    def __init__(self, year: int) -> None:
        super().__init__(
            "calendar_unpublished",
            _(
                "%(year)s年的法定节假日安排尚未录入，无法按工作日计算期限。"
                "请管理员在节假日表中录入%(year)s年的放假和调休安排。"
            )
            % {"year": year},
        )
        self.year = year


class OutOfRangeError(CodedError):
    """A date or result outside the years Python's dates can hold (1 to 9999)."""

    def __init__(self) -> None:
        super().__init__(
            "calendar_out_of_range",
            _("日期超出可计算范围（公元1年至9999年），请检查日期和工作日数。"),
        )


def unpublished_warning(year: int) -> str:
    """The notice for a date reckoned with Monday–Friday for `year`, in the active language."""
    return _("%(year)s年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。") % {"year": year}


def unpublished_warnings(years: Iterable[int]) -> list[str]:
    """The notices for `years`, one per run of consecutive years, in the active language."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and runs[-1][1] == year - 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return [
        unpublished_warning(first)
        if first == last
        else _("%(first)s至%(last)s年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。")
        % {"first": first, "last": last}
        for first, last in runs
    ]


# How results' warnings are stored: each in the source language (see WorkdayCalendar._days_of),
# joined with the source language's separator.
STORED_SEPARATOR = "；"
_STORED_UNPUBLISHED = re.compile(
    r"^(\d{4})年的法定节假日安排尚未录入，截止日期按周一至周五推算，可能不准确。$"
)


def stored_warnings_shown(stored: str) -> str:
    """Warnings kept on a row, reworded in the active language for whoever reads them now.

    A part that is not a known warning (written by hand, or by an older version) is shown as it is.
    """
    if not stored:
        return ""
    parts = []
    for part in stored.split(STORED_SEPARATOR):
        unpublished = _STORED_UNPUBLISHED.match(part)
        parts.append(unpublished_warning(int(unpublished.group(1))) if unpublished else part)
    return pgettext("between two whole sentences", "；").join(parts)


@dataclass(frozen=True)
class DayOverrides:
    """The administrator's holiday table, applied on top of chinese_calendar.

    A date in `holidays` is a day off and a date in `workdays` a working day (调休), whatever the
    library says. A year in `published_years` counts as published even if the library does not
    know it: its days are Monday–Friday plus these overrides.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    published_years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        both = sorted(self.holidays & self.workdays)
        if both:
            listed = _("、").join(day.isoformat() for day in both)
            raise CodedError(
                "calendar_override_conflict",
                _("节假日表中%(days)s既登记为放假又登记为上班，请删除其中一条。") % {"days": listed},
            )


@dataclass(frozen=True)
class WorkdayResult:
    date: date
    warnings: tuple[str, ...] = ()
    unpublished_years: tuple[int, ...] = ()  # the years the warnings are about


@dataclass(frozen=True)
class WorkdayCount:
    days: int
    warnings: tuple[str, ...] = ()
    unpublished_years: tuple[int, ...] = ()


@functools.cache
def _library_workdays(year: int) -> tuple[date, ...] | None:
    """chinese_calendar's working days of `year`, or None when it has no schedule for that year."""
    # Cached for the process: the library's data never changes at run time, and one year costs
    # it about 20 ms because it re-validates every date against its whole table.
    try:
        days: list[date] = chinese_calendar.get_workdays(date(year, 1, 1), date(year, 12, 31))
    except NotImplementedError:
        return None
    return tuple(days)


def library_has_schedule(year: int) -> bool:
    """True if chinese_calendar knows the holidays of `year` (from 2004 to its release's last year)."""
    return _library_workdays(year) is not None


def _weekdays(year: int) -> list[date]:
    # By ordinal: adding a day to 9999-12-31 overflows.
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    return [day for day in map(date.fromordinal, range(first, last + 1)) if day.weekday() < 5]


def _as_date(value: date) -> date:
    # A datetime compares unequal to the date it falls on, so set lookups would silently miss.
    return value.date() if isinstance(value, datetime) else value


class WorkdayCalendar:
    """Working days from chinese_calendar plus the administrator's overrides.

    For a year with no schedule, `fallback="weekends"` counts Monday–Friday and attaches a warning
    to every result that relies on it; `fallback="error"` raises UnpublishedYearError instead.
    Each year is computed once per instance, so keep one instance for a batch of calculations.
    """

    def __init__(self, overrides: DayOverrides | None = None, fallback: str = "weekends") -> None:
        if fallback not in FALLBACKS:
            raise ValueError(f"fallback must be one of {FALLBACKS}, not {fallback!r}")
        self.overrides = overrides or DayOverrides()
        self.fallback = fallback
        self._years: dict[int, tuple[list[date], bool]] = {}

    def year_is_published(self, year: int) -> bool:
        """True if chinese_calendar or the administrator has the holiday schedule of `year`."""
        return self._year(year)[1]

    def _year(self, year: int) -> tuple[list[date], bool]:
        """The sorted working days of `year` and whether its schedule is published."""
        cached = self._years.get(year)
        if cached is None:
            library = _library_workdays(year)
            published = library is not None or year in self.overrides.published_years
            days = set(library if library is not None else _weekdays(year))
            days |= {day for day in self.overrides.workdays if day.year == year}
            days -= self.overrides.holidays
            cached = (sorted(days), published)
            self._years[year] = cached
        return cached

    def _days_of(self, year: int, unpublished: list[int]) -> list[date]:
        """The working days of a year a result depends on; notes the year in `unpublished` (once)
        or raises if its schedule is not published."""
        days, published = self._year(year)
        if not published:
            if self.fallback == "error":
                raise UnpublishedYearError(year)
            if year not in unpublished[-1:]:
                unpublished.append(year)
        return days

    @staticmethod
    def _stored(unpublished: list[int]) -> tuple[str, ...]:
        # A result's warnings are kept on rows that everyone reads (a branch's calendar_warning),
        # so they stay in the source language whoever's request counted the days; a page that
        # words the notice when it is shown calls unpublished_warning itself.
        with translation.override(None):
            return tuple(unpublished_warning(year) for year in unpublished)

    def is_workday(self, day: date) -> bool:
        """True if `day` is a working day.

        In an unpublished year with the "weekends" fallback this is a Monday–Friday guess with no
        warning: check `year_is_published` when the difference matters, or use `add`/`between`.
        """
        day = _as_date(day)
        days = self._days_of(day.year, [])
        index = bisect.bisect_left(days, day)
        return index < len(days) and days[index] == day

    def add(self, start: date, n: int) -> WorkdayResult:
        """The n-th working day after `start` (the start day itself is not counted; 行政许可法).

        n = 0 returns `start` unchanged; a negative n gives the |n|-th working day before `start`.
        """
        start = _as_date(start)
        if n == 0:
            return WorkdayResult(start)
        # No more working days than days: a count past the last date fails at once, not after 8,000 years.
        if not -(start - date.min).days <= n <= (date.max - start).days:
            raise OutOfRangeError
        unpublished: list[int] = []
        if n > 0:
            cursor = start + _ONE_DAY
            remaining = n
            while True:
                days = self._days_of(cursor.year, unpublished)
                index = bisect.bisect_left(days, cursor)
                if remaining <= len(days) - index:
                    found = days[index + remaining - 1]
                    return WorkdayResult(found, self._stored(unpublished), tuple(unpublished))
                remaining -= len(days) - index
                if cursor.year == date.max.year:
                    raise OutOfRangeError
                cursor = date(cursor.year + 1, 1, 1)
        cursor = start - _ONE_DAY
        remaining = -n
        while True:
            days = self._days_of(cursor.year, unpublished)
            available = bisect.bisect_right(days, cursor)
            if remaining <= available:
                found = days[available - remaining]
                return WorkdayResult(found, self._stored(unpublished), tuple(unpublished))
            remaining -= available
            if cursor.year == date.min.year:
                raise OutOfRangeError
            cursor = date(cursor.year - 1, 12, 31)

    def between(self, a: date, b: date) -> WorkdayCount:
        """Working days after `a` up to and including `b`.

        0 when a == b; when b is before a the count of working days after b up to and including a,
        negated, so that between(a, b) == -between(b, a).
        """
        a, b = _as_date(a), _as_date(b)
        if b == a:
            return WorkdayCount(0)
        if b < a:
            reverse = self.between(b, a)
            return WorkdayCount(-reverse.days, reverse.warnings, reverse.unpublished_years)
        unpublished: list[int] = []
        total = 0
        first = a + _ONE_DAY  # a < b, so this is still a date
        for year in range(first.year, b.year + 1):
            days = self._days_of(year, unpublished)
            low = bisect.bisect_left(days, max(first, date(year, 1, 1)))
            high = bisect.bisect_right(days, b)
            total += high - low
        return WorkdayCount(total, self._stored(unpublished), tuple(unpublished))
