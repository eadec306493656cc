"""`onewindow seed [--demo]`: load the city's reference data, and with --demo the demo cast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.accounts.services import DEMO_PASSWORD, demo_users_create
from onewindow.bundles.models import Bundle
from onewindow.bundles.services import BUILTIN_DIR
from onewindow.bundles.transfer import ImportFailed, bundle_import
from onewindow.cases.demo import demo_cases_create, demo_enterprises_create
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case
from onewindow.catalog.services import regions_load
from onewindow.centers.services import centers_seed


def _bundle_code(path: Path) -> str:
    """The code of the bundle a shipped document defines; "" if it cannot be read (the import
    then reports the problem)."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        return str(document["bundle"]["code"])
    except (yaml.YAMLError, TypeError, KeyError):
        return ""


class Command(BaseCommand):
    help = (
        "载入天门市行政区划、服务中心和内置的一业一证主题（已有的主题保留管理员的修改，"
        "--update-bundles 才按内置版本覆盖）；--demo 另建各角色演示账号和演示办件。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demo", action="store_true", help="同时创建演示账号与演示数据")
        parser.add_argument(
            "--without-cases",
            action="store_true",
            help="与 --demo 同用：只建账号和企业，不建演示办件（测试使用）",
        )
        parser.add_argument(
            "--update-bundles",
            action="store_true",
            help="按内置版本重新导入已有的主题，覆盖管理员对其事项、材料、表单要素和主题的修改",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"行政区划：{regions_load()} 个")
        self.stdout.write(f"服务中心：{centers_seed()} 个")
        self._bundles(update=options["update_bundles"])
        if options["demo"]:
            users = demo_users_create()
            self.stdout.write(f"演示账号 {len(users)} 个，密码均为 {DEMO_PASSWORD}")
            enterprises = demo_enterprises_create()
            self.stdout.write(f"演示企业 {len(enterprises)} 家（营业执照已存入本地电子证照库）")
            if not options["without_cases"]:
                self._demo_cases()
        self.stdout.write(self.style.SUCCESS("完成。"))

    def _bundles(self, *, update: bool) -> None:
        """Import the shipped bundles; one that exists is left as the administrator keeps it."""
        skipped = []
        for path in sorted(BUILTIN_DIR.glob("*.yaml")):
            code = _bundle_code(path)
            if code and not update and Bundle.objects.filter(code=code).exists():
                skipped.append(code)
                continue
            try:
                report = bundle_import(path.read_text(encoding="utf-8"))
            except ImportFailed as exc:
                raise CommandError("内置主题导入失败：\n" + "\n".join(exc.report.errors)) from exc
            self.stdout.write(f"主题 {report.bundle_code}：" + "；".join(report.lines()))
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(f"  提示：{warning}"))
        if skipped:
            self.stdout.write(
                f"主题 {'、'.join(skipped)} 已存在，未重新导入（保留管理员在后台所做的修改）。"
                "如需恢复为内置版本，请加 --update-bundles 重新运行，这会覆盖这些修改。"
            )

    def _demo_cases(self) -> None:
        existing = Case.objects.count()
        if existing:
            self.stdout.write(f"已有办件 {existing} 件，未创建演示办件。")
            return
        try:
            cases = demo_cases_create()
        except CaseError as exc:
            advice = ""
            if exc.code == "calendar_unpublished":
                advice = (
                    "演示办件的到期日要计算到尚未录入节假日安排的年份。请先在管理后台的节假日表中录入"
                    "该年的放假和调休安排，或以 WORKDAYS_FALLBACK=weekends 运行（到期日按周一至周五推算，"
                    "并注明可能不准确），然后重新运行 onewindow seed --demo。"
                )
            raise CommandError(
                f"演示办件未创建（已全部撤销，演示账号和企业已建好）：{exc.message}{advice}"
            ) from exc
        self.stdout.write(
            f"演示办件 {len(cases)} 件（覆盖草稿、待受理、待补正、不予受理、审批中、待发证、不予许可、"
            "已发证、已办结；有的在等待前置审批、暂停计时、临近或超过到期日，有一份延期申请待审批）"
        )
