"""`onewindow seed [--demo]`: load the city's reference data, and with --demo the demo cast."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.accounts.services import DEMO_PASSWORD, demo_users_create
from onewindow.bundles.services import bundles_load_builtin
from onewindow.bundles.transfer import ImportFailed
from onewindow.cases.demo import demo_cases_create, demo_enterprises_create
from onewindow.catalog.services import regions_load
from onewindow.centers.services import centers_seed


class Command(BaseCommand):
    help = "载入天门市行政区划、服务中心和内置的一业一证主题；--demo 另建各角色演示账号。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="同时创建演示账号与演示数据")
        parser.add_argument(
            "--without-cases",
            action="store_true",
            help="与 --demo 同用：只建账号和企业，不建演示办件（测试使用）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"行政区划：{regions_load()} 个")
        self.stdout.write(f"服务中心：{centers_seed()} 个")
        try:
            reports = bundles_load_builtin()
        except ImportFailed as exc:
            raise CommandError("内置主题导入失败：\n" + "\n".join(exc.report.errors)) from exc
        for report in reports:
            self.stdout.write(f"主题 {report.bundle_code}：" + "；".join(report.lines()))
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(f"  提示：{warning}"))
        if options["demo"]:
            users = demo_users_create()
            self.stdout.write(f"演示账号 {len(users)} 个，密码均为 {DEMO_PASSWORD}")
            enterprises = demo_enterprises_create()
            self.stdout.write(f"演示企业 {len(enterprises)} 家（营业执照已存入本地电子证照库）")
            if not options["without_cases"]:
                cases = demo_cases_create()
                self.stdout.write(
                    f"演示办件 {len(cases)} 件（覆盖草稿、待受理、待补正、不予受理、审批中、待发证、不予许可、已发证、已办结）"
                )
        self.stdout.write(self.style.SUCCESS("完成。"))
