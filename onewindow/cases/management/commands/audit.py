"""`onewindow audit verify`: report every edited, deleted, reordered or added timeline row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.cases.selectors import audit_verify, case_ids_for

USAGE = "onewindow audit verify [办件编号或内部编号 …]"


class Command(BaseCommand):
    help = "核验办件记录的哈希链：报告被修改、删除、调换顺序或多出的记录。"
    # argparse words its own errors in English: the arguments are plain words checked in handle(),
    # so what an operator gets wrong is said in Chinese; only no argument at all is argparse's to say.
    missing_args_message = f"请写明要执行的操作：{USAGE}"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", help="verify：核验全部或指定办件的记录")
        parser.add_argument(
            "cases",
            nargs="*",
            help="只核验这些办件：页面和通知书上的办件编号，或内部编号（草稿没有办件编号）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "verify":
            raise CommandError(f"没有“{options['action']}”这个操作。用法：{USAGE}")
        references: list[str] = options["cases"]
        case_ids: list[int] | None = None
        if references:
            case_ids, unknown = case_ids_for(references)
            if unknown:
                raise CommandError(
                    f"没有找到办件：{'、'.join(unknown)}，未作核验。"
                    "请核对页面或通知书上的办件编号，或使用内部编号。"
                )
        checked, findings = audit_verify(case_ids)
        for finding in findings:
            self.stdout.write(self.style.ERROR(f"办件 {finding.case_number}："))
            for item in finding.breaks:
                self.stdout.write(f"  - {item.message}")
        if findings:
            raise CommandError(f"核验 {checked} 个办件，{len(findings)} 个办件的记录被篡改。")
        if not checked:
            self.stdout.write("还没有办件，没有需要核验的记录。")
            return
        self.stdout.write(self.style.SUCCESS(f"核验 {checked} 个办件，记录完整。"))
