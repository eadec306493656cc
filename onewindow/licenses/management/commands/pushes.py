"""`onewindow pushes retry [--all]`: send pending pushes to the e-licence library (run it from cron)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from onewindow.licenses.services import pushes_retry


class Command(BaseCommand):
    help = "重试待推送到电子证照库的发证、变更、吊销和注销记录。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="推送到期的待推送记录")
        retry.add_argument("--all", action="store_true", help="不等退避时间，立即推送全部待推送记录")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now() + (timedelta(days=3650) if options["all"] else timedelta())
        delivered, failed = pushes_retry(now=now, limit=10_000)
        self.stdout.write(
            f"已推送 {delivered} 条" + (f"；证照库仍不可用，{failed} 条稍后重试" if failed else "")
        )
