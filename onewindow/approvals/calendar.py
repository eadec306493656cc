"""The working-day calendar in force: chinese_calendar plus the admin's holiday table.

Every due date, queue row and decision asks for it, and the table changes a few times a year. So
each process keeps the calendar it built for one revision of the table (a token in DATA_DIR,
replaced whenever a row is saved or deleted) and rebuilds it when the token changes.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from onewindow.approvals.models import CalendarDay, PublishedYear
from onewindow.lib.revision import RevisionCache
from onewindow.lib.workdays import DayOverrides, WorkdayCalendar

# By the fallback for unpublished years, which the settings name.
calendar_cache: RevisionCache[str, WorkdayCalendar] = RevisionCache(
    settings.DATA_DIR / "calendar.revision", max_entries=2
)
calendar_cache.watch((CalendarDay, PublishedYear), name="calendar")


def _calendar_build() -> WorkdayCalendar:
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (holidays if kind == CalendarDay.Kind.HOLIDAY else workdays).add(day)
    overrides = DayOverrides(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        published_years=frozenset(PublishedYear.objects.values_list("year", flat=True)),
    )
    return WorkdayCalendar(overrides=overrides, fallback=settings.WORKDAYS_FALLBACK)


def current_calendar() -> WorkdayCalendar:
    return calendar_cache.generation().get(settings.WORKDAYS_FALLBACK, _calendar_build)


def calendar_changed() -> None:
    """Every process rebuilds its calendar at its next use."""
    calendar_cache.changed()
