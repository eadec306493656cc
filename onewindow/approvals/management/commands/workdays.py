"""`onewindow workdays add DATE N` and `onewindow workdays between A B`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.approvals.calendar import current_calendar
from onewindow.lib.workdays import OutOfRangeError, UnpublishedYearError, unpublished_warnings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}”不是有效日期，请按 YYYY-MM-DD 填写，如 2026-10-08。") from None


class Command(BaseCommand):
    help = "按法定工作日推算日期：add 给出 N 个工作日后的日期，between 给出两日之间的工作日数。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="起始日期之后第 N 个工作日（起始日不计）")
        add.add_argument("start")
        add.add_argument("days", type=int)
        between = sub.add_parser("between", help="A 之后到 B（含）的工作日数")
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = current_calendar()
        try:
            if options["action"] == "add":
                if options["days"] < 0:
                    raise CommandError("工作日数不能为负数。")
                added = calendar.add(_date(options["start"]), options["days"])
                self.stdout.write(added.date.isoformat())
                years = added.unpublished_years
            else:
                counted = calendar.between(_date(options["start"]), _date(options["end"]))
                self.stdout.write(str(counted.days))
                years = counted.unpublished_years
        except (UnpublishedYearError, OutOfRangeError) as exc:
            raise CommandError(exc.message) from None
        # A long span may cross thousands of unpublished years: one line per run of them.
        for warning in unpublished_warnings(years):
            self.stderr.write(self.style.WARNING(warning))
