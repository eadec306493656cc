"""The working-day calendar in force: chinese_calendar plus the admin's holiday table.

Every due date, queue row and decision asks for it, and the table changes a few times a year. So
each process keeps the calendar it built for one revision of the table (a token in DATA_DIR,
replaced whenever a row is saved or deleted) and rebuilds it when the token changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from onewindow.approvals.models import CalendarDay, PublishedYear
from onewindow.lib.revision import bump_token, read_token
from onewindow.lib.workdays import DayOverrides, WorkdayCalendar

REVISION_FILE = settings.DATA_DIR / "calendar.revision"


@dataclass(frozen=True)
class _Cached:
    revision: bytes
    fallback: str
    calendar: WorkdayCalendar


_cached: _Cached | None = None


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
    global _cached
    revision = read_token(REVISION_FILE)
    cached = _cached
    if cached is not None and cached.revision == revision and cached.fallback == settings.WORKDAYS_FALLBACK:
        return cached.calendar
    calendar = _calendar_build()
    # Rows read inside a transaction may be uncommitted and rolled back: never keep them.
    if not transaction.get_connection().in_atomic_block:
        _cached = _Cached(revision=revision, fallback=settings.WORKDAYS_FALLBACK, calendar=calendar)
    return calendar


def calendar_changed() -> None:
    """Every process rebuilds its calendar at its next use."""
    bump_token(REVISION_FILE)


def _on_calendar_row_changed(sender: type[Model], **kwargs: Any) -> None:
    # Now, so that this transaction stops using the calendar it had; and again after the commit,
    # so that a calendar another process built from the old rows meanwhile is dropped too.
    calendar_changed()
    transaction.on_commit(calendar_changed, using=kwargs.get("using"))


for _model in (CalendarDay, PublishedYear):
    post_save.connect(_on_calendar_row_changed, sender=_model, dispatch_uid=f"calendar-{_model.__name__}")
    post_delete.connect(_on_calendar_row_changed, sender=_model, dispatch_uid=f"calendar-{_model.__name__}")
