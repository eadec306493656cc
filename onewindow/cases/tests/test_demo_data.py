"""The demo shows a living system: a newcomer who runs `onewindow seed --demo` finds cases in every
state and at different ages, branches waiting, paused, due soon and overdue, an extension to decide;
running it again is safe, and where it cannot count its deadlines it says what to do and leaves
nothing half made."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, ClockPause, Extension, ExtensionStatus
from onewindow.approvals.services import due_state
from onewindow.cases.models import Case, CaseStatus, Channel
from onewindow.cases.selectors import audit_verify
from onewindow.catalog.models import ServiceItem
from onewindow.inspections.models import CommitmentCheck, CommitmentCheckStatus
from onewindow.lib.workdays import WorkdayCalendar

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def test_the_demo_looks_lived_in_and_seeding_again_adds_nothing(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    first = seed("--demo")

    cases = list(Case.objects.order_by("pk"))
    assert f"演示办件 {len(cases)} 件" in first
    assert set(CaseStatus.values) - {CaseStatus.WITHDRAWN} <= {c.status for c in cases}
    assert {c.channel for c in cases} == set(Channel.values), "online, window, kiosk and guidance cases"
    assert len({c.holder_name for c in cases}) >= 5, "the queues show several enterprises, not one"
    # The forms read like an owner's, not like the hints printed beside the fields.
    filled = [c.form_data for c in cases if c.form_data.get("contact_person")]
    assert filled and not any("按实际情况填写" in str(value) for data in filled for value in data.values())
    assert all(float(data.get("disinfection_room_area", 0)) < 50 for data in filled)
    # Permits granted on commitment wait for their check on site (告知承诺事后核查).
    assert CommitmentCheck.objects.filter(status=CommitmentCheckStatus.DUE).exists()

    # The window queue shows real waiting times: minutes, hours and days.
    now = timezone.now()
    waited = sorted(
        now - c.submitted_at for c in cases if c.status == CaseStatus.SUBMITTED and c.submitted_at
    )
    assert waited[0] < timedelta(hours=1) and waited[-1] > timedelta(hours=12)

    # The departments' queues: waiting for a prerequisite, paused, due soon, overdue.
    today = timezone.localdate()
    calendar = current_calendar()
    branches = list(Branch.objects.filter(case__status=CaseStatus.IN_APPROVAL).select_related("item"))
    assert any(b.status == BranchStatus.WAITING for b in branches)
    paused_for = set(ClockPause.objects.filter(ended_on__isnull=True).values_list("reason", flat=True))
    assert {ClockPause.Reason.SITE_CHECK, ClockPause.Reason.SUPPLEMENT} <= paused_for
    states = {due_state(b, today, settings.DUE_SOON_WORKDAYS, calendar) for b in branches}
    assert {"overdue", "due_soon"} <= states
    # The supervisor's 延期审批 page has a request to decide.
    extension = Extension.objects.get(status=ExtensionStatus.PENDING)
    assert extension.approver == User.objects.get(username="supervisor")

    # The planned opening is weeks after the form was filled, never a fixed date that has passed.
    dates = [
        (case, date.fromisoformat(case.form_data[spec["code"]]))
        for case in cases
        if case.submitted_at is not None
        for spec in case.plan["form"]
        if spec["type"] == "date"
    ]
    assert dates
    assert all(filled > timezone.localdate(case.submitted_at) for case, filled in dates if case.submitted_at)
    # The refusal fits the case: the same premises already has a case in approval.
    refused = next(c for c in cases if c.status == CaseStatus.REFUSED)
    assert "不在本市" not in refused.outcome_note
    duplicate = next(c for c in cases if c.number and c.number in refused.outcome_note)
    assert duplicate.status == CaseStatus.IN_APPROVAL and duplicate.holder_code == refused.holder_code
    # The closed case took some working days, within its promised limits.
    closed = next(c for c in cases if c.status == CaseStatus.CLOSED)
    assert closed.elapsed_workdays is not None and 3 <= closed.elapsed_workdays <= 20
    assert closed.submitted_at is not None and closed.submitted_at < now - timedelta(days=14)

    checked, findings = audit_verify()
    assert checked == len(cases) and findings == []
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "记录完整" in out.getvalue()

    again = seed("--demo")
    assert f"已有办件 {len(cases)} 件，未创建演示办件。" in again
    assert Case.objects.count() == len(cases)
    assert User.objects.filter(username__startswith="applicant").count() == 7


def _last_known_december() -> datetime:
    """10:00 on 24 December of the last year whose holidays are known: the demo's deadlines reach the next."""
    year = date.today().year
    while WorkdayCalendar().year_is_published(year + 1):
        year += 1
    return datetime.combine(date(year, 12, 24), time(10), tzinfo=timezone.get_current_timezone())


def test_a_deadline_in_an_unpublished_year_stops_with_the_task_and_leaves_no_demo(
    settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.WORKDAYS_FALLBACK = "error"
    moment = _last_known_december()
    with mock.patch("django.utils.timezone.now", return_value=moment), pytest.raises(CommandError) as raised:
        seed("--demo")

    message = str(raised.value)
    assert f"{moment.year + 1}年的法定节假日安排尚未录入" in message
    assert "WORKDAYS_FALLBACK=weekends" in message and "已全部撤销" in message
    assert Case.objects.count() == 0
    assert not list(tmp_path.rglob("*.pdf")), "no uploaded file is left behind"

    settings.WORKDAYS_FALLBACK = "weekends"
    with mock.patch("django.utils.timezone.now", return_value=moment):
        out = seed("--demo")
    created = Case.objects.count()
    assert f"演示办件 {created} 件" in out and created >= 13
    assert Branch.objects.exclude(calendar_warning="").exists(), "dates guessed Monday–Friday say so"
    assert audit_verify()[1] == []


def test_seeding_again_keeps_the_administrators_catalogue_edits() -> None:
    seed()
    ServiceItem.objects.filter(code="fire_safety_check").update(promised_limit_days=3)

    out = seed()

    assert ServiceItem.objects.get(code="fire_safety_check").promised_limit_days == 3
    assert "hotel" in out and "已存在，未重新导入" in out and "--update-bundles" in out

    out = seed("--update-bundles")

    assert ServiceItem.objects.get(code="fire_safety_check").promised_limit_days == 5
    assert "主题 hotel：" in out
