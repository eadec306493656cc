"""`onewindow outbox retry [--all]`: send the SMS and email that failed while a provider was down (run it from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.notifications.services import outbox_max_attempts, outbox_retry


class Command(BaseCommand):
    help = "重试短信与邮件发件箱中待发送的消息。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="发送到期的待发送消息，并把中断的发送重新排队")
        retry.add_argument("--all", action="store_true", help="不等退避时间，立即发送全部待发送消息")

    def handle(self, *args: Any, **options: Any) -> None:
        done = outbox_retry(ignore_backoff=options["all"], limit=10_000)
        parts = [f"已发送 {done.sent} 条"]
        if done.waiting:
            parts.append(f"平台仍不可用，{done.waiting} 条稍后重试")
        if done.failed:
            parts.append(
                f"{done.failed} 条发送失败（平台拒收或已尝试 {outbox_max_attempts()} 次），可在管理后台的发件箱中重新发送"
            )
        if done.reclaimed:
            parts.append(f"{done.reclaimed} 条中断的发送已重新排队")
        self.stdout.write("；".join(parts))
