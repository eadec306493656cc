"""`onewindow renewals remind [--days 30]`: remind holders of valid licences that expire soon (run it daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.cases.services import event_append
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.selectors import renewals_due
from onewindow.notifications.services import notify_user

REMINDED = "renewal_reminded"


def renewal_remind(*, licence: ComprehensiveLicense, days_left: int) -> bool:
    """Notify the holder's applicant account once per licence number and expiry date. True when sent.

    The reminder is recorded on the case's timeline; the row lock on the case makes two runs
    at the same time send it once.
    """
    assert licence.valid_until is not None
    valid_until = licence.valid_until.isoformat()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=licence.case_id)
        )
        if case.events.filter(
            action=REMINDED, data__licence=licence.number, data__valid_until=valid_until
        ).exists():
            return False
        event_append(
            case=case,
            actor=None,
            action=REMINDED,
            data={"licence": licence.number, "version": licence.version, "valid_until": valid_until},
        )
        notify_user(
            user=case.applicant,
            title="证照即将到期",
            body=(
                f"您的{licence.licence_name}（{licence.number}）将于 {licence.valid_until:%Y年%m月%d日} 到期，"
                f"还有 {days_left} 天。请在到期前向政务服务中心申请延续，以免影响经营。"
            ),
            case=case,
            link=reverse("licenses:detail", kwargs={"licence_id": licence.pk}),
        )
    return True


class Command(BaseCommand):
    help = "提醒持证主体办理即将到期证照的延续：站内消息加短信，每张证照每个有效期只提醒一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="提醒指定天数内到期的有效证照")
        remind.add_argument("--days", type=int, default=30, help="提醒多少天内到期的证照（默认 30）")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days 应为正整数，例如 --days 30。")
        today = timezone.localdate()
        sent = skipped = 0
        for licence in list(renewals_due(days, today=today)):
            assert licence.valid_until is not None
            if renewal_remind(licence=licence, days_left=(licence.valid_until - today).days):
                sent += 1
            else:
                skipped += 1
        self.stdout.write(f"{days} 天内到期的证照：已提醒 {sent} 张，此前已提醒过 {skipped} 张。")
