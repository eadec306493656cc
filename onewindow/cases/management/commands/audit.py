"""`onewindow audit verify`: report every edited or deleted timeline row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.cases.selectors import audit_verify


class Command(BaseCommand):
    help = "核验办件记录的哈希链：报告被修改或删除的记录。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="核验全部或指定办件的记录")
        verify.add_argument("case_ids", nargs="*", type=int, help="只核验这些办件（内部编号）")

    def handle(self, *args: Any, **options: Any) -> None:
        checked, findings = audit_verify(options.get("case_ids") or None)
        for finding in findings:
            self.stdout.write(self.style.ERROR(f"办件 {finding.case_number}："))
            for item in finding.breaks:
                self.stdout.write(f"  - {item.message}")
        if findings:
            raise CommandError(f"核验 {checked} 个办件，{len(findings)} 个办件的记录被篡改。")
        self.stdout.write(self.style.SUCCESS(f"核验 {checked} 个办件，记录完整。"))
