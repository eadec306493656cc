"""The working-day calendar in force: chinese_calendar plus the admin's holiday table."""

from __future__ import annotations

from datetime import date

from django.conf import settings

from onewindow.approvals.models import CalendarDay, PublishedYear
from onewindow.lib.workdays import DayOverrides, WorkdayCalendar


def current_calendar() -> WorkdayCalendar:
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
