"""一次核查 to 一证准营 end to end: one visit, one notice, one re-inspection, one signed licence, revoked.

A nine-item hotel case is accepted. 公安局 (the lead department) schedules one joint inspection;
卫健委 and 烟草专卖局 find a problem each, everyone else passes; one consolidated notice lists
both findings; the applicant reports the rectification; the re-inspection covers only the two
failed entries; when they pass, the branches' clocks restart with their due dates moved later
by exactly the working days they were stopped.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, ClockPause
from onewindow.cases.models import Case
from onewindow.cases.selectors import audit_verify
from onewindow.inspections.models import (
    ChecklistEntry,
    ChecklistResult,
    InspectionAssignment,
    InspectionStatus,
    JointInspection,
    RectificationNotice,
)
from onewindow.inspections.notices import rectification_notice_pdf
from onewindow.inspections.services import (
    checklist_record,
    inspection_finish,
    inspection_schedule,
    rectification_report,
    reinspection_schedule,
)
from onewindow.inspections.tests.conftest import LEAD, pdf, png
from onewindow.inspections.tests.conftest import SITE_CHECK_DEPARTMENTS as SITE_CHECKS
from onewindow.notifications.models import Notification

pytestmark = pytest.mark.django_db

HEALTH = "429006-wj"
TOBACCO = "429006-yc"
HEALTH_FINDING = "公共用品用具消毒间未设置独立的清洗消毒池，请增设并张贴消毒操作规程。"
TOBACCO_FINDING = "卷烟陈列柜未设置“不向未成年人售烟”标识，请在显著位置张贴。"
SITE_CHECK_DEPARTMENTS = set(SITE_CHECKS)


def record_all(inspection: JointInspection, inspectors: dict[str, User], failures: dict[str, str]) -> None:
    """Each inspector fills his own section: the first entry of a department in `failures` fails."""
    entries = ChecklistEntry.objects.filter(
        assignment__inspection=inspection, round=inspection.round
    ).select_related("assignment__department")
    failed: set[str] = set()
    for entry in entries.order_by("assignment_id", "order"):
        code = entry.assignment.department.code
        if code in failures and code not in failed:
            failed.add(code)
            checklist_record(
                entry=entry, inspector=inspectors[code], result="fail", note=failures[code], photos=[png()]
            )
        else:
            checklist_record(entry=entry, inspector=inspectors[code], result="pass")


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["/usr/bin/pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    )
    return "".join(result.stdout.split())


def test_joint_inspection_with_two_findings_rectified_and_reinspected_to_pass(
    hotel_case: Case,
    alice: User,
    chen: User,
    inspectors: dict[str, User],
    travel: Callable[[int], None],
    tmp_path: Path,
) -> None:
    start: date = timezone.localdate()
    before = {b.pk: b for b in hotel_case.branches.select_related("item", "department")}
    waiting = [b for b in before.values() if b.status == BranchStatus.WAITING]
    assert [b.department.code for b in waiting] == [LEAD], "公安's permit waits for the fire-safety opinion"

    # 公安局 schedules one visit for every site-check item, one inspector per department.
    inspection = inspection_schedule(
        case=hotel_case,
        organiser=chen,
        scheduled_at=timezone.now() + timedelta(days=1),
        address="天门市竟陵街道钟惺大道88号",
        inspectors={code: inspectors[code] for code in SITE_CHECK_DEPARTMENTS},
    )
    assignments = list(inspection.assignments.select_related("branch__item", "department"))
    assert {a.department.code for a in assignments} == SITE_CHECK_DEPARTMENTS
    assert all(a.branch.item.site_check_required for a in assignments)
    assert len(assignments) == 7, "special equipment and sewage need no site check"
    assert all(a.entries.filter(round=1).exists() for a in assignments), (
        "checklists come from the items' conditions"
    )

    included = {a.branch_id for a in assignments}
    paused = {pk for pk, b in before.items() if pk in included and b.status == BranchStatus.PENDING}
    assert len(paused) == 6
    for branch in Branch.objects.filter(pk__in=paused):
        assert branch.status == BranchStatus.PAUSED
        assert branch.version == before[branch.pk].version + 1
        assert branch.pauses.get(ended_on__isnull=True).reason == ClockPause.Reason.SITE_CHECK
    not_inspected = Branch.objects.exclude(pk__in=included).filter(case=hotel_case)
    assert set(not_inspected.values_list("status", flat=True)) == {BranchStatus.PENDING}, (
        "their clocks run on"
    )
    assert Branch.objects.get(pk=waiting[0].pk).status == BranchStatus.WAITING, (
        "a clock not started is not paused"
    )

    # Three days later, on site: 卫健委 and 烟草专卖局 each find a problem, everyone else passes.
    travel(3)
    record_all(inspection, inspectors, {HEALTH: HEALTH_FINDING, TOBACCO: TOBACCO_FINDING})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    inspection = inspection_finish(inspection=inspection, organiser=chen)
    assert inspection.status == InspectionStatus.FINDINGS_ISSUED

    # One consolidated notice with both departments' findings.
    notice = RectificationNotice.objects.get(inspection=inspection)
    assert {f["department"] for f in notice.findings} == {HEALTH, TOBACCO}
    assert notice.due_on > timezone.localdate()
    text = pdf_text(rectification_notice_pdf(notice, inspection), tmp_path)
    assert str(hotel_case.number) in text
    for words in (
        "现场核查整改通知书",
        "天门市卫生健康委员会",
        "天门市烟草专卖局",
        HEALTH_FINDING,
        TOBACCO_FINDING,
    ):
        assert "".join(words.split()) in text, words
    assert Notification.objects.filter(user=alice, case=hotel_case, title="现场核查整改通知").count() == 1

    # While the applicant rectifies, the clocks stay stopped.
    for branch in Branch.objects.filter(pk__in=paused):
        assert branch.status == BranchStatus.PAUSED
        assert branch.pauses.get(ended_on__isnull=True).reason == ClockPause.Reason.RECTIFICATION

    # Five days in, the applicant reports the rectification with evidence.
    travel(5)
    report = rectification_report(
        inspection=inspection,
        applicant=alice,
        text="已增设消毒池并张贴规程；已张贴禁售标识。",
        evidence=[png(), pdf()],
    )
    assert report.evidence.count() == 2
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.RECTIFIED

    # The re-inspection covers only the two failed entries, with the same inspectors.
    travel(6)
    inspection = reinspection_schedule(
        inspection=inspection, organiser=chen, scheduled_at=timezone.now() + timedelta(hours=2)
    )
    assert (inspection.round, inspection.status) == (2, InspectionStatus.SCHEDULED)
    second = list(
        ChecklistEntry.objects.filter(assignment__inspection=inspection, round=2).select_related("previous")
    )
    assert len(second) == 2
    assert {e.previous.note for e in second if e.previous} == {HEALTH_FINDING, TOBACCO_FINDING}
    assert all(e.result == "" for e in second)

    # Eight days after the first visit both pass: the inspection passes and the clocks restart.
    travel(8)
    for entry in second:
        code = InspectionAssignment.objects.get(pk=entry.assignment_id).department.code
        checklist_record(entry=entry, inspector=inspectors[code], result=ChecklistResult.PASS)
    inspection = inspection_finish(inspection=inspection, organiser=chen)
    assert inspection.status == InspectionStatus.PASSED
    assert RectificationNotice.objects.filter(inspection=inspection).count() == 1, "no notice when all pass"

    calendar = current_calendar()
    stopped = calendar.between(start, timezone.localdate()).days
    assert stopped > 0
    for branch in Branch.objects.filter(pk__in=paused):
        old = before[branch.pk]
        assert branch.status == BranchStatus.PENDING
        assert branch.paused_workdays == old.paused_workdays + stopped
        assert old.due_on is not None
        assert branch.due_on is not None
        assert branch.due_on == calendar.add(old.due_on, stopped).date > old.due_on
        pauses = list(branch.pauses.order_by("id").values_list("reason", "ended_on"))
        assert [reason for reason, _ in pauses] == ["site_check", "rectification", "site_check"]
        assert all(ended is not None for _, ended in pauses)

    actions = list(hotel_case.events.values_list("action", flat=True))
    for action in (
        "inspection_scheduled",
        "branch_paused",
        "checklist_recorded",
        "inspection_findings_issued",
        "inspection_rectification_reported",
        "reinspection_scheduled",
        "inspection_passed",
        "branch_resumed",
    ):
        assert action in actions, action
    assert actions.count("branch_resumed") == 6
    assert audit_verify([hotel_case.pk]) == (1, [])

    # 一并审批 → 一证准营: every branch approved, one signed licence, verified, then revoked.
    from onewindow.cases.demo import approve_all
    from onewindow.licenses.models import LicenceStatus
    from onewindow.licenses.selectors import licence_verify
    from onewindow.licenses.services import licence_end, licence_issue
    from onewindow.licenses.signing import validate_pdf

    approve_all(hotel_case)
    hotel_case.refresh_from_db()
    assert hotel_case.status == "approved"
    issuer = User.objects.get(username="issuer")
    licence = licence_issue(case=hotel_case, issuer=issuer)
    assert licence.permits.count() == 9
    check = validate_pdf(licence.pdf.read())
    assert check.valid and check.intact and check.trusted, check.message
    found = licence_verify(licence.identifier)
    assert found is not None and found.state == "valid"
    licence_end(licence_id=licence.pk, actor=issuer, status=LicenceStatus.REVOKED, reason="整改承诺未兑现")
    found = licence_verify(licence.identifier)
    assert found is not None and found.state == "revoked"
    assert audit_verify([hotel_case.pk]) == (1, [])
