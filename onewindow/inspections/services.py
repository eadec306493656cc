"""Writes to joint inspections: schedule, record the checklist, finish, rectify, re-inspect, close.

The clocks: scheduling stops the clock of every included branch that is running (ClockPause
"site_check", Administrative Licensing Law Art. 45). While the applicant rectifies, the pause
is recorded as "rectification"; once he reports, as "site_check" again. Each switch closes one
pause and opens the next on the same day, and the closed part is added to the branch's paused
working days, so the total is the same as one long pause. When the inspection passes or is
closed, the clock restarts exactly as approvals.services.branch_resume does it: the paused
working days move the due date later.

Lock order everywhere: branch rows first (by id), then the case row, as in approvals.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, ClockPause
from onewindow.approvals.services import pause_end
from onewindow.cases.errors import CaseConflict, CaseError, CaseForbidden, CaseInvalid, CaseNotFound
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import ALLOWED_UPLOADS, event_append, upload_check
from onewindow.catalog.models import Department
from onewindow.inspections.models import (
    ACTIVE_INSPECTION_STATUSES,
    CHECK_TEXT_MAX,
    RECORDING_STATUSES,
    ChecklistEntry,
    ChecklistPhoto,
    ChecklistResult,
    CommitmentCheck,
    CommitmentCheckStatus,
    InspectionAssignment,
    InspectionStatus,
    JointInspection,
    RectificationEvidence,
    RectificationNotice,
    RectificationReport,
)
from onewindow.inspections.permissions import CHECK_NOT_FOUND, DEPARTMENT_ROLES, ORGANISER_ROLES
from onewindow.inspections.selectors import (
    INSPECTION_PAUSE_REASONS,
    SCHEDULABLE_BRANCH_STATUSES,
    schedulable_branches,
)
from onewindow.lib.workdays import STORED_SEPARATOR, UnpublishedYearError, WorkdayCalendar
from onewindow.licenses.models import LicenceStatus, Permit
from onewindow.notifications.services import notify_case_applicant, notify_user

RECTIFICATION_WORKDAYS = 15
MAX_RECTIFICATION_WORKDAYS = 60
MAX_PHOTOS_PER_ENTRY = 9
MAX_EVIDENCE_FILES = 20
PHOTO_TYPES = ("image/jpeg", "image/png")
FALLBACK_CONDITION = "现场情况符合本事项的受理条件"

_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])")
_NUMBERING = re.compile(r"^\s*(?:[（(]?\s*[0-9０-９一二三四五六七八九十]{1,3}\s*[)）.．、]\s*)+")


def checklist_conditions(text: str) -> list[str]:
    """The item's acceptance conditions as checklist lines: one per line or sentence, numbering dropped."""
    lines = []
    for raw_line in text.splitlines():
        for piece in _SENTENCE_END.split(raw_line):
            sentence = _NUMBERING.sub("", piece).strip().rstrip("。；;！!？?").strip()
            # A line that only introduces a list ("申请人应当具备下列条件：") is not a checkable condition.
            if not sentence or sentence.endswith((":", "：")):
                continue
            lines.append(sentence[:500])
    return lines or [FALLBACK_CONDITION]


# ---------------------------------------------------------------- helpers


def _link(name: str, *args: object) -> str:
    """The page a notification points to; empty while the app's URLs are not wired in."""
    try:
        return reverse(f"inspections:{name}", args=args)
    except NoReverseMatch:
        return ""


def _local(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _lock_case(case_id: int) -> Case:
    try:
        return (
            Case.objects.select_for_update(of=("self",)).select_related("bundle", "applicant").get(pk=case_id)
        )
    except Case.DoesNotExist:
        raise CaseNotFound("case_not_found", _("没有找到这个办件，请确认办件编号。")) from None


def _lock_branches(ids: Sequence[int]) -> dict[int, Branch]:
    """Lock the branches in id order (the order approvals uses) and return them by id."""
    locked = Branch.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    rows = {b.pk: b for b in locked}
    items = {b.pk: b for b in Branch.objects.filter(pk__in=ids).select_related("item", "department")}
    for pk, branch in rows.items():
        branch.item = items[pk].item
        branch.department = items[pk].department
    return rows


def _lock_inspection(inspection_id: int) -> JointInspection:
    try:
        return (
            JointInspection.objects.select_for_update(of=("self",))
            .select_related("organiser_department", "organiser")
            .get(pk=inspection_id)
        )
    except JointInspection.DoesNotExist:
        raise CaseNotFound("inspection_not_found", _("没有找到这次联合核查。")) from None


@dataclass
class _Locked:
    inspection: JointInspection
    case: Case
    branches: dict[int, Branch]
    assignments: list[InspectionAssignment]


def _lock_all(inspection_id: int) -> _Locked:
    """The case, then its branches, then the inspection row: everything a transition changes.

    The case comes first, as in every other write to a case's branches (acceptance, decisions), so
    two of them never wait for each other in a circle.
    """
    case_id = JointInspection.objects.filter(pk=inspection_id).values_list("case_id", flat=True).first()
    if case_id is None:
        raise CaseNotFound("inspection_not_found", _("没有找到这次联合核查。"))
    case = _lock_case(case_id)
    branch_ids = list(
        InspectionAssignment.objects.filter(inspection_id=inspection_id).values_list("branch_id", flat=True)
    )
    branches = _lock_branches(branch_ids)
    inspection = _lock_inspection(inspection_id)
    assignments = list(
        inspection.assignments.select_related("department", "inspector").order_by(
            "department__order", "department__code", "branch_id"
        )
    )
    for assignment in assignments:
        assignment.branch = branches[assignment.branch_id]
    return _Locked(inspection, case, branches, assignments)


def _require_organiser(user: User, department_id: int, department_name: str) -> None:
    if user.role not in ORGANISER_ROLES or user.department_id != department_id:
        raise CaseForbidden(
            "not_organiser",
            _("只有牵头部门（%(department)s）的核查人员或审批人员可以组织联合核查。")
            % {"department": department_name},
        )


def _lock_for_organiser(inspection_id: int, organiser: User) -> _Locked:
    """Everything a transition changes (_lock_all), for a member of the lead department only."""
    locked = _lock_all(inspection_id)
    inspection = locked.inspection
    _require_organiser(organiser, inspection.organiser_department_id, inspection.organiser_department.name)
    return locked


def _require_status(inspection: JointInspection, allowed: Sequence[str], message: str) -> None:
    if inspection.status not in allowed:
        raise CaseConflict(
            "inspection_status",
            _("%(message)s（本次核查当前状态为“%(status)s”，请刷新页面查看。）")
            % {"message": message, "status": inspection.get_status_display()},
        )


def _set_status(inspection: JointInspection, old: str, new: str, **fields: object) -> None:
    """Move the inspection on with a conditional update: a concurrent transition makes this a conflict."""
    changed = JointInspection.objects.filter(pk=inspection.pk, status=old).update(status=new, **fields)
    if changed != 1:
        raise CaseConflict("inspection_changed", _("这次核查刚刚已被他人处理，请刷新页面查看最新情况。"))
    inspection.status = new
    for name, value in fields.items():
        setattr(inspection, name, value)


def _check_when(scheduled_at: datetime | None) -> datetime:
    if scheduled_at is None:
        raise CaseInvalid(
            "scheduled_at_required", _("请填写核查时间。"), fields={"scheduled_at": _("请填写核查时间。")}
        )
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    if timezone.localdate(scheduled_at) < timezone.localdate():
        raise CaseInvalid(
            "scheduled_in_past",
            _("核查时间不能早于今天。"),
            fields={"scheduled_at": _("核查时间不能早于今天，请重新选择。")},
        )
    return scheduled_at


def _add_workdays(calendar: WorkdayCalendar, start: date, days: int) -> date:
    try:
        return calendar.add(start, days).date
    except UnpublishedYearError as exc:
        raise CaseError("calendar_unpublished", exc.message) from None


def _check_photo(upload: UploadedFile) -> tuple[bytes, str]:
    content, mime = upload_check(upload)
    if mime not in PHOTO_TYPES:
        raise CaseInvalid(
            "photo_type",
            _("现场照片只能是 JPEG 或 PNG 图片，请用手机直接拍照上传。"),
            fields={"photos": _("请上传照片。")},
        )
    return content, mime


def _stored(upload: UploadedFile, content: bytes, mime: str, user: User) -> dict[str, object]:
    return {
        "file": ContentFile(content, name=f"{uuid.uuid4().hex}.{ALLOWED_UPLOADS[mime]}"),
        "original_name": (upload.name or "")[:200],
        "content_type": mime,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "uploaded_by": user,
        "uploaded_at": timezone.now(),
    }


# ---------------------------------------------------------------- the clocks


def _branch_update(branch: Branch, old: str, **fields: object) -> None:
    """Write `fields` to a branch still in status `old` and move its version on.

    A branch that left `old` was restarted or decided by its reviewer meanwhile: a conflict.
    """
    changed = Branch.objects.filter(pk=branch.pk, status=old).update(version=F("version") + 1, **fields)
    if changed != 1:
        raise CaseConflict("branch_changed", _("有事项刚刚已被审批部门处理，请刷新页面后重试。"))
    for name, value in fields.items():
        setattr(branch, name, value)


def _stop_clock(
    assignment: InspectionAssignment,
    reason: str,
    case: Case,
    actor: User | None,
    today: date,
    inspection: JointInspection,
) -> bool:
    """Stop a running clock the inspection has not stopped yet; True if it did."""
    branch = assignment.branch
    if branch.status != BranchStatus.PENDING or assignment.clock_paused:
        # Waiting branches have no clock yet; a clock this inspection stopped and a reviewer
        # restarted stays running: the reviewer's decision wins.
        return False
    _branch_update(branch, BranchStatus.PENDING, status=BranchStatus.PAUSED)
    ClockPause.objects.create(branch=branch, reason=reason, started_on=today)
    assignment.clock_paused = True
    assignment.save(update_fields=["clock_paused"])
    event_append(
        case=case,
        actor=actor,
        action="branch_paused",
        before=BranchStatus.PENDING,
        after=BranchStatus.PAUSED,
        comment=f"联合核查（第{inspection.round}轮）期间暂停计时",
        data={"item": branch.item.code, "reason": reason, "inspection": inspection.pk},
    )
    return True


def _close_pause(
    assignment: InspectionAssignment,
    pause: ClockPause,
    today: date,
    calendar: WorkdayCalendar,
    *,
    status: str,
) -> None:
    """End the open pause today and write the branch's moved due date (as branch_resume does), in `status`."""
    branch = assignment.branch
    assignment.paused_workdays += pause_end(branch=branch, pause=pause, today=today, calendar=calendar)
    assignment.save(update_fields=["paused_workdays"])
    _branch_update(
        branch,
        BranchStatus.PAUSED,
        status=status,
        paused_workdays=branch.paused_workdays,
        due_on=branch.due_on,
        calendar_warning=branch.calendar_warning,
    )


def _our_pause(assignment: InspectionAssignment) -> ClockPause | None:
    """The open pause this inspection holds on the branch, if it still holds one."""
    if not assignment.clock_paused or assignment.branch.status != BranchStatus.PAUSED:
        return None
    return assignment.branch.pauses.filter(ended_on__isnull=True, reason__in=INSPECTION_PAUSE_REASONS).first()


def _hold_clocks(
    locked: _Locked, reason: str, actor: User, today: date, calendar: WorkdayCalendar
) -> list[str]:
    """Keep every included clock stopped, recorded under `reason`; returns the items stopped now."""
    stopped = []
    for assignment in locked.assignments:
        if _stop_clock(assignment, reason, locked.case, actor, today, locked.inspection):
            stopped.append(assignment.branch.item.code)
            continue
        pause = _our_pause(assignment)
        if pause is None or pause.reason == reason:
            continue
        _close_pause(assignment, pause, today, calendar, status=BranchStatus.PAUSED)
        ClockPause.objects.create(branch=assignment.branch, reason=reason, started_on=today)
    return stopped


def _restart_clocks(
    locked: _Locked, actor: User, today: date, calendar: WorkdayCalendar, comment: str
) -> list[Branch]:
    """Restart every clock this inspection stopped; the paused working days move each due date."""
    restarted = []
    for assignment in locked.assignments:
        pause = _our_pause(assignment)
        if pause is None:
            continue
        branch = assignment.branch
        _close_pause(assignment, pause, today, calendar, status=BranchStatus.PENDING)
        assert branch.due_on is not None
        event_append(
            case=locked.case,
            actor=actor,
            action="branch_resumed",
            before=BranchStatus.PAUSED,
            after=BranchStatus.PENDING,
            comment=comment,
            data={
                "item": branch.item.code,
                "paused_workdays": assignment.paused_workdays,
                "due_on": branch.due_on.isoformat(),
                "inspection": locked.inspection.pk,
            },
        )
        restarted.append(branch)
    return restarted


# ---------------------------------------------------------------- notifications


def _notify_inspectors(
    locked: _Locked, title: str, body: str, *, departments: set[int] | None = None
) -> None:
    link = _link("checklist", locked.inspection.pk)
    seen: set[int] = set()
    for assignment in locked.assignments:
        if assignment.inspector_id in seen:
            continue
        if departments is not None and assignment.department_id not in departments:
            continue
        seen.add(assignment.inspector_id)
        notify_user(user=assignment.inspector, title=title, body=body, case=locked.case, link=link)


def _notify_applicant(case: Case, title: str, body: str, *, link: str = "") -> None:
    if link:
        notify_user(user=case.applicant, title=title, body=body, case=case, link=link)
    else:
        notify_case_applicant(case, title, body)


# ---------------------------------------------------------------- schedule


def inspection_schedule(
    *,
    case: Case,
    organiser: User,
    scheduled_at: datetime | None,
    address: str,
    inspectors: Mapping[str, User],
) -> JointInspection:
    """一次核查: one visit for every open branch whose item needs a site check; their clocks stop.

    `inspectors` maps each department code to the one inspector that department sends.
    """
    address = address.strip()
    if not address:
        raise CaseInvalid(
            "address_required", _("请填写核查地点。"), fields={"address": _("请填写核查地点。")}
        )
    scheduled_at = _check_when(scheduled_at)
    calendar = current_calendar()
    today = timezone.localdate()
    try:
        with transaction.atomic():
            locked_case = _lock_case(case.pk)
            branches = _lock_branches([b.pk for b in schedulable_branches(case)])
            lead = Department.objects.get(pk=locked_case.bundle.lead_department_id)
            _require_organiser(organiser, lead.pk, lead.name)
            if locked_case.status != CaseStatus.IN_APPROVAL:
                raise CaseConflict(
                    "case_status",
                    _("办件当前状态为“%(status)s”，只有并联审批中的办件可以安排联合核查。")
                    % {"status": locked_case.get_status_display()},
                )
            if JointInspection.objects.filter(
                case=locked_case, status__in=ACTIVE_INSPECTION_STATUSES
            ).exists():
                raise CaseConflict(
                    "inspection_active", _("该办件已有一次正在进行的联合核查，请在核查页面继续办理。")
                )
            # Re-read under the locks: a branch may have been decided since the page was built.
            included = [b for b in branches.values() if b.status in SCHEDULABLE_BRANCH_STATUSES]
            if not included:
                raise CaseInvalid("nothing_to_inspect", _("该办件没有需要现场核查的在办事项。"))
            chosen = _check_inspectors(included, inspectors)
            inspection = JointInspection.objects.create(
                case=locked_case,
                organiser_department=lead,
                organiser=organiser,
                scheduled_at=scheduled_at,
                address=address[:200],
            )
            assignments = []
            for branch in sorted(included, key=lambda b: (b.department.order, b.department.code, b.pk)):
                assignment = InspectionAssignment.objects.create(
                    inspection=inspection,
                    branch=branch,
                    department=branch.department,
                    inspector=chosen[branch.department.code],
                )
                assignment.branch = branch
                ChecklistEntry.objects.bulk_create(
                    ChecklistEntry(assignment=assignment, round=1, order=order, condition=condition)
                    for order, condition in enumerate(checklist_conditions(branch.item.conditions), start=1)
                )
                assignments.append(assignment)
            locked = _Locked(inspection, locked_case, branches, assignments)
            stopped = _hold_clocks(locked, ClockPause.Reason.SITE_CHECK, organiser, today, calendar)
            event_append(
                case=locked_case,
                actor=organiser,
                action="inspection_scheduled",
                after=InspectionStatus.SCHEDULED,
                comment=f"{_local(scheduled_at)}，{address}",
                data={
                    "inspection": inspection.pk,
                    "round": 1,
                    "scheduled_at": scheduled_at.isoformat(),
                    "address": address,
                    "items": [a.branch.item.code for a in assignments],
                    "inspectors": {code: user.name for code, user in chosen.items()},
                    "clock_stopped": stopped,
                },
            )
            departments = "、".join(dict.fromkeys(a.department.short_name for a in assignments))
            _notify_applicant(
                locked_case,
                "现场核查已安排",
                f"您的办件 {locked_case.number} 将于 {_local(scheduled_at)} 在 {address} 进行联合现场核查"
                f"（{departments}一次到场）。核查期间不计入审批时限。",
            )
            _notify_inspectors(
                locked,
                "联合核查任务",
                f"办件 {locked_case.number}（{locked_case.holder_name}）联合核查：{_local(scheduled_at)}，{address}。"
                "请按时到场并在共享核查清单中填写本部门的核查项。",
            )
    except IntegrityError:
        # Another organiser scheduled this case at the same moment (inspections_one_active_per_case).
        raise CaseConflict(
            "inspection_active", _("该办件已有一次正在进行的联合核查，请在核查页面继续办理。")
        ) from None
    return inspection


def _check_inspectors(included: list[Branch], inspectors: Mapping[str, User]) -> dict[str, User]:
    """One active inspector of each department concerned; every problem reported at once."""
    departments = {b.department.code: b.department for b in included}
    problems = {}
    for code, department in departments.items():
        user = inspectors.get(code)
        if user is None:
            problems[code] = _("请选择%(department)s派出的核查人员。") % {"department": department.name}
        elif user.role != Role.INSPECTOR or user.department_id != department.pk or not user.is_active:
            problems[code] = _("%(name)s不是%(department)s的核查人员，请重新选择。") % {
                "name": user.name,
                "department": department.name,
            }
    for code in inspectors:
        if code not in departments:
            problems[code] = _("该部门没有需要现场核查的事项，无需派员。")
    if problems:
        raise CaseInvalid("inspectors_invalid", _("核查人员安排有误，请按提示修改。"), fields=problems)
    return {code: inspectors[code] for code in departments}


# ---------------------------------------------------------------- the shared checklist


def checklist_record(
    *,
    entry: ChecklistEntry,
    inspector: User,
    result: str,
    note: str = "",
    photos: Sequence[UploadedFile] = (),
) -> ChecklistEntry:
    """One inspector records one condition of his own department's section: pass, fail or a note."""
    note = note.strip()
    problems = {}
    if result not in ChecklistResult.values:
        problems["result"] = _("请选择核查结果：合格、不合格或仅说明。")
    elif result == ChecklistResult.FAIL and not note:
        problems["note"] = _("不合格时请写明问题和整改要求，申请人将据此整改。")
    if problems:
        raise CaseInvalid("entry_invalid", _("核查结果填写不完整，请按提示修改。"), fields=problems)
    checked = [(upload, *_check_photo(upload)) for upload in photos]
    with transaction.atomic():
        case_id = (
            ChecklistEntry.objects.filter(pk=entry.pk)
            .values_list("assignment__inspection__case_id", flat=True)
            .first()
        )
        if case_id is None:
            raise CaseNotFound("entry_not_found", _("没有找到这个核查项。"))
        case = _lock_case(case_id)
        entry = ChecklistEntry.objects.select_related(
            "assignment__inspection",
            "assignment__department",
            "assignment__inspector",
            "assignment__branch__item",
        ).get(pk=entry.pk)
        assignment = entry.assignment
        inspection = _lock_inspection(assignment.inspection_id)
        if assignment.inspector_id != inspector.pk:
            if inspector.department_id == assignment.department_id:
                raise CaseForbidden(
                    "not_assigned",
                    _("本部门的核查项由%(name)s填写，如需调整请联系牵头部门。")
                    % {"name": assignment.inspector.name},
                )
            raise CaseForbidden(
                "not_your_section",
                _("这一部分由%(department)s的核查人员填写，您只能填写本部门的核查项。")
                % {"department": assignment.department.name},
            )
        _require_status(inspection, RECORDING_STATUSES, _("核查已结束，不能再修改核查结果"))
        if entry.round != inspection.round:
            raise CaseConflict("entry_closed", _("这是上一轮的核查项，已不能修改。"))
        if entry.photos.count() + len(checked) > MAX_PHOTOS_PER_ENTRY:
            raise CaseInvalid(
                "too_many_photos",
                _("每个核查项最多 %(count)s 张照片。") % {"count": MAX_PHOTOS_PER_ENTRY},
                fields={"photos": _("每个核查项最多 %(count)s 张照片。") % {"count": MAX_PHOTOS_PER_ENTRY}},
            )
        before = entry.result
        entry.result = result
        entry.note = note
        entry.recorded_by = inspector
        entry.recorded_at = timezone.now()
        entry.save(update_fields=["result", "note", "recorded_by", "recorded_at"])
        for upload, content, mime in checked:
            ChecklistPhoto.objects.create(entry=entry, **_stored(upload, content, mime, inspector))
        if inspection.status == InspectionStatus.SCHEDULED:
            _set_status(inspection, InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS)
        event_append(
            case=case,
            actor=inspector,
            action="checklist_recorded",
            before=before,
            after=result,
            comment=note,
            data={
                "inspection": inspection.pk,
                "round": entry.round,
                "entry": entry.pk,
                "item": assignment.branch.item.code,
                "department": assignment.department.code,
                "photos": len(checked),
            },
        )
    return entry


# ---------------------------------------------------------------- finish


def _findings(assignments: list[InspectionAssignment], round_: int) -> list[dict[str, str]]:
    """The failed entries of one round, department by department, as the notice records them."""
    failed: dict[int, list[ChecklistEntry]] = {}
    for entry in ChecklistEntry.objects.filter(
        assignment__in=assignments, round=round_, result=ChecklistResult.FAIL
    ).order_by("order"):
        failed.setdefault(entry.assignment_id, []).append(entry)
    return [
        {
            "department": assignment.department.code,
            "department_name": assignment.department.name,
            "item": assignment.branch.item.name,
            "condition": entry.condition,
            "note": entry.note,
            "inspector": assignment.inspector.name,
        }
        for assignment in assignments
        for entry in failed.get(assignment.pk, [])
    ]


def inspection_finish(
    *, inspection: JointInspection, organiser: User, rectification_workdays: int = RECTIFICATION_WORKDAYS
) -> JointInspection:
    """End the visit. Any failure: one consolidated rectification notice (一口告知), clocks stay stopped.

    All passed: the inspection passes and the clocks it stopped restart, due dates moved later.
    """
    if not 1 <= rectification_workdays <= MAX_RECTIFICATION_WORKDAYS:
        message = _("整改期限应在 1 至 %(days)s 个工作日之间。") % {"days": MAX_RECTIFICATION_WORKDAYS}
        raise CaseInvalid("rectification_workdays", message, fields={"rectification_workdays": message})
    calendar = current_calendar()
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_for_organiser(inspection.pk, organiser)
        inspection = locked.inspection
        _require_status(inspection, RECORDING_STATUSES, _("本轮核查已经结束"))
        entries = list(
            ChecklistEntry.objects.filter(
                assignment__inspection=inspection, round=inspection.round
            ).select_related("assignment__department")
        )
        missing: dict[str, int] = {}
        for entry in entries:
            if not entry.result:
                name = entry.assignment.department.name
                missing[name] = missing.get(name, 0) + 1
        if missing:
            listed = _("、").join(
                ngettext("%(name)s %(count)s 项", "%(name)s %(count)s 项", n) % {"name": name, "count": n}
                for name, n in missing.items()
            )
            raise CaseInvalid(
                "checklist_incomplete",
                _("还有核查项没有填写结果：%(listed)s。请各部门核查人员填完后再结束核查。")
                % {"listed": listed},
            )
        findings = _findings(locked.assignments, inspection.round)
        if findings:
            due_on = _add_workdays(calendar, today, rectification_workdays)
            notice = RectificationNotice.objects.create(
                inspection=inspection,
                round=inspection.round,
                issued_at=timezone.now(),
                issued_by=organiser,
                due_on=due_on,
                findings=findings,
            )
            _set_status(inspection, inspection.status, InspectionStatus.FINDINGS_ISSUED)
            stopped = _hold_clocks(locked, ClockPause.Reason.RECTIFICATION, organiser, today, calendar)
            departments = list(dict.fromkeys(f["department_name"] for f in findings))
            event_append(
                case=locked.case,
                actor=organiser,
                action="inspection_findings_issued",
                after=InspectionStatus.FINDINGS_ISSUED,
                comment="；".join(f"{f['department_name']}：{f['note']}" for f in findings)[:2000],
                data={
                    "inspection": inspection.pk,
                    "round": inspection.round,
                    "notice": notice.pk,
                    "findings": len(findings),
                    "departments": departments,
                    "due_on": due_on.isoformat(),
                    "clock_stopped": stopped,
                },
            )
            _notify_applicant(
                locked.case,
                "现场核查整改通知",
                f"您的办件 {locked.case.number} 现场核查发现 {len(findings)} 项需要整改"
                f"（{'、'.join(departments)}），已一次告知。请于 {_day(due_on)} 前完成整改并在线报告整改情况。"
                "整改期间不计入审批时限。",
                link=_link("rectification", locked.case.pk),
            )
            return inspection
        now = timezone.now()
        _set_status(inspection, inspection.status, InspectionStatus.PASSED, ended_at=now)
        restarted = _restart_clocks(locked, organiser, today, calendar, "联合核查通过，恢复计时")
        event_append(
            case=locked.case,
            actor=organiser,
            action="inspection_passed",
            after=InspectionStatus.PASSED,
            data={
                "inspection": inspection.pk,
                "round": inspection.round,
                "resumed": [b.item.code for b in restarted],
            },
        )
        _notify_applicant(
            locked.case,
            "现场核查通过",
            f"您的办件 {locked.case.number} 联合现场核查已通过，各部门继续审批。",
        )
    return inspection


# ---------------------------------------------------------------- rectification and re-inspection


def rectification_report(
    *, inspection: JointInspection, applicant: User, text: str, evidence: Sequence[UploadedFile]
) -> RectificationReport:
    """The applicant reports that every finding of the notice is rectified, with photos or scans."""
    text = text.strip()
    problems = {}
    if not text:
        problems["text"] = _("请逐项说明整改情况。")
    if not evidence:
        problems["evidence"] = _("请上传整改后的照片或证明材料，至少一份。")
    elif len(evidence) > MAX_EVIDENCE_FILES:
        problems["evidence"] = _("一次最多上传 %(count)s 个文件。") % {"count": MAX_EVIDENCE_FILES}
    if problems:
        raise CaseInvalid("report_incomplete", _("整改报告不完整，请按提示补充。"), fields=problems)
    checked = [(upload, *upload_check(upload)) for upload in evidence]
    calendar = current_calendar()
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_all(inspection.pk)
        inspection = locked.inspection
        if locked.case.applicant_id != applicant.pk:
            raise CaseNotFound("inspection_not_found", _("没有找到这次联合核查。"))
        _require_status(inspection, (InspectionStatus.FINDINGS_ISSUED,), _("当前没有待整改的核查意见"))
        report = RectificationReport.objects.create(
            inspection=inspection,
            round=inspection.round,
            text=text,
            submitted_by=applicant,
            submitted_at=timezone.now(),
        )
        for upload, content, mime in checked:
            RectificationEvidence.objects.create(report=report, **_stored(upload, content, mime, applicant))
        _set_status(inspection, InspectionStatus.FINDINGS_ISSUED, InspectionStatus.RECTIFIED)
        # What remains is the government's re-inspection: record the pause as site check again.
        _hold_clocks(locked, ClockPause.Reason.SITE_CHECK, applicant, today, calendar)
        event_append(
            case=locked.case,
            actor=applicant,
            action="inspection_rectification_reported",
            before=InspectionStatus.FINDINGS_ISSUED,
            after=InspectionStatus.RECTIFIED,
            comment=text[:2000],
            data={
                "inspection": inspection.pk,
                "round": inspection.round,
                "report": report.pk,
                "files": len(checked),
            },
        )
        body = f"办件 {locked.case.number}（{locked.case.holder_name}）已报告整改情况，请牵头部门安排复查。"
        notify_user(
            user=inspection.organiser,
            title="申请人已报告整改",
            body=body,
            case=locked.case,
            link=_link("checklist", inspection.pk),
        )
        failed_departments = set(
            ChecklistEntry.objects.filter(
                assignment__inspection=inspection, round=inspection.round, result=ChecklistResult.FAIL
            ).values_list("assignment__department_id", flat=True)
        )
        _notify_inspectors(locked, "申请人已报告整改", body, departments=failed_departments)
    return report


def reinspection_schedule(
    *, inspection: JointInspection, organiser: User, scheduled_at: datetime | None, address: str = ""
) -> JointInspection:
    """复查: a new round covering only the failed entries, same inspectors; the clocks stay stopped."""
    scheduled_at = _check_when(scheduled_at)
    calendar = current_calendar()
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_for_organiser(inspection.pk, organiser)
        inspection = locked.inspection
        if inspection.status == InspectionStatus.FINDINGS_ISSUED:
            raise CaseConflict("not_rectified", _("申请人尚未报告整改情况，暂不能安排复查。"))
        _require_status(inspection, (InspectionStatus.RECTIFIED,), _("只有申请人报告整改后才能安排复查"))
        failed = list(
            ChecklistEntry.objects.filter(
                assignment__inspection=inspection, round=inspection.round, result=ChecklistResult.FAIL
            ).order_by("assignment_id", "order")
        )
        new_round = inspection.round + 1
        ChecklistEntry.objects.bulk_create(
            ChecklistEntry(
                assignment_id=entry.assignment_id,
                round=new_round,
                order=entry.order,
                condition=entry.condition,
                previous=entry,
            )
            for entry in failed
        )
        address = address.strip()[:200] or inspection.address
        _set_status(
            inspection,
            InspectionStatus.RECTIFIED,
            InspectionStatus.SCHEDULED,
            round=new_round,
            scheduled_at=scheduled_at,
            address=address,
        )
        stopped = _hold_clocks(locked, ClockPause.Reason.SITE_CHECK, organiser, today, calendar)
        departments = {
            a.department_id for a in locked.assignments if any(e.assignment_id == a.pk for e in failed)
        }
        names = list(
            dict.fromkeys(
                a.department.short_name for a in locked.assignments if a.department_id in departments
            )
        )
        event_append(
            case=locked.case,
            actor=organiser,
            action="reinspection_scheduled",
            before=InspectionStatus.RECTIFIED,
            after=InspectionStatus.SCHEDULED,
            comment=f"{_local(scheduled_at)}，{address}",
            data={
                "inspection": inspection.pk,
                "round": new_round,
                "entries": len(failed),
                "departments": names,
                "scheduled_at": scheduled_at.isoformat(),
                "clock_stopped": stopped,
            },
        )
        _notify_applicant(
            locked.case,
            "复查已安排",
            f"您的办件 {locked.case.number} 将于 {_local(scheduled_at)} 在 {address} 复查上次核查的"
            f" {len(failed)} 个不合格项（{'、'.join(names)}）。",
        )
        _notify_inspectors(
            locked,
            "复查任务",
            f"办件 {locked.case.number}（{locked.case.holder_name}）复查：{_local(scheduled_at)}，{address}。"
            "只需复查本部门上次不合格的核查项。",
            departments=departments,
        )
    return inspection


def inspection_branch_opened(*, branch: Branch, actor: User | None) -> bool:
    """Hook for approvals: a waiting branch just opened while a joint inspection covers it.

    Its clock starts stopped, as its siblings' are. Call inside the transaction that opened it;
    returns True if the clock was stopped.
    """
    assignment = (
        InspectionAssignment.objects.filter(
            branch_id=branch.pk, clock_paused=False, inspection__status__in=ACTIVE_INSPECTION_STATUSES
        )
        .select_related("inspection")
        .first()
    )
    if assignment is None:
        return False
    locked = _lock_all(assignment.inspection_id)
    reason = (
        ClockPause.Reason.RECTIFICATION
        if locked.inspection.status == InspectionStatus.FINDINGS_ISSUED
        else ClockPause.Reason.SITE_CHECK
    )
    mine = next(a for a in locked.assignments if a.pk == assignment.pk)
    return _stop_clock(mine, reason, locked.case, actor, timezone.localdate(), locked.inspection)


def inspection_close(*, inspection: JointInspection, organiser: User, reason: str) -> JointInspection:
    """End an inspection without a pass (the case was withdrawn, the applicant gave up): clocks restart."""
    reason = reason.strip()
    if not reason:
        raise CaseInvalid(
            "reason_required", _("请写明关闭核查的原因。"), fields={"reason": _("请写明关闭原因。")}
        )
    calendar = current_calendar()
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock_for_organiser(inspection.pk, organiser)
        inspection = locked.inspection
        _require_status(inspection, ACTIVE_INSPECTION_STATUSES, _("本次核查已经结束"))
        before = inspection.status
        _set_status(inspection, before, InspectionStatus.CLOSED, ended_at=timezone.now(), close_reason=reason)
        restarted = _restart_clocks(locked, organiser, today, calendar, "联合核查关闭，恢复计时")
        event_append(
            case=locked.case,
            actor=organiser,
            action="inspection_closed",
            before=before,
            after=InspectionStatus.CLOSED,
            comment=reason,
            data={
                "inspection": inspection.pk,
                "round": inspection.round,
                "resumed": [b.item.code for b in restarted],
            },
        )
        _notify_applicant(
            locked.case, "现场核查已关闭", f"您的办件 {locked.case.number} 的联合现场核查已关闭：{reason}"
        )
        _notify_inspectors(locked, "联合核查已关闭", f"办件 {locked.case.number} 的联合核查已关闭：{reason}")
    return inspection


# ---------------------------------------------------------------- 事后核查 (checks of commitments)


class CheckResult:
    """What a department may find when it checks a commitment on site."""

    CONFIRMED = "confirmed"  # the commitment is kept
    RECTIFY = "rectify"  # not yet: rectify by a date, then checked again
    REVOKE = "revoke"  # untrue: the permit is to be revoked (行政许可法 Art. 69)
    ALL = (CONFIRMED, RECTIFY, REVOKE)


def commitment_check_schedule(*, branch: Branch) -> CommitmentCheck | None:
    """Schedule the on-site check of a branch just approved on the applicant's commitment; None when
    it was approved on the normal procedure. Call inside the approval's transaction, which holds the
    case row; the approval's own timeline event names the due date."""
    planned = next((e for e in branch.case.plan.get("items", []) if e.get("code") == branch.item.code), None)
    if planned is None or not planned.get("commitment"):
        return None
    try:
        result = current_calendar().add(timezone.localdate(), settings.COMMITMENT_CHECK_WORKDAYS)
    except UnpublishedYearError as exc:
        raise CaseError("calendar_unpublished", exc.message) from None
    return CommitmentCheck.objects.create(
        branch=branch,
        case=branch.case,
        department_id=branch.department_id,
        due_on=result.date,
        calendar_warning=STORED_SEPARATOR.join(result.warnings)[:500],
    )


def _check_text(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise CaseInvalid(f"{field}_required", message, fields={field: message})
    if len(value) > CHECK_TEXT_MAX:
        too_long = _("请不超过 %(max)s 字。") % {"max": CHECK_TEXT_MAX}
        raise CaseInvalid(f"{field}_too_long", too_long, fields={field: too_long})
    return value


def _rectify_by_checked(rectify_by: date | None, today: date) -> date:
    if rectify_by is None:
        message = _("请填写整改期限。")
        raise CaseInvalid("rectify_by_required", message, fields={"rectify_by": message})
    if rectify_by <= today:
        message = _("整改期限应晚于今天。")
        raise CaseInvalid("rectify_by_past", message, fields={"rectify_by": message})
    try:
        latest = current_calendar().add(today, MAX_RECTIFICATION_WORKDAYS).date
    except UnpublishedYearError as exc:
        raise CaseError("calendar_unpublished", exc.message) from None
    if rectify_by > latest:
        message = _("整改期限最长为 %(days)s 个工作日，最晚为 %(date)s。") % {
            "days": MAX_RECTIFICATION_WORKDAYS,
            "date": latest.isoformat(),
        }
        raise CaseInvalid("rectify_by_too_late", message, fields={"rectify_by": message})
    return rectify_by


def commitment_check_record(
    *,
    check_id: int,
    inspector: User,
    result: str,
    findings: str = "",
    rectify_by: date | None = None,
    expected_round: int | None = None,
) -> CommitmentCheck:
    """Record what the check on site found: the commitment kept (the check ends), rectification by a
    date (the check stays open for the next visit), or the commitment untrue (the department decides
    to revoke its permit; the issuer is told to change or revoke the comprehensive licence).

    Only the deciding department's inspectors and reviewers; `expected_round` is the round the page
    showed, so two people recording at once cannot both succeed.
    """
    if result not in CheckResult.ALL:
        message = _("请选择核查结论。")
        raise CaseInvalid("check_result", message, fields={"result": message})
    today = timezone.localdate()
    if result == CheckResult.CONFIRMED:
        findings = findings.strip()[:CHECK_TEXT_MAX]
    elif result == CheckResult.RECTIFY:
        findings = _check_text(findings, "findings", _("请写明发现的问题和整改要求。"))
        rectify_by = _rectify_by_checked(rectify_by, today)
    else:
        findings = _check_text(findings, "findings", _("请写明承诺不实的事实、理由和依据。"))
    with transaction.atomic():
        check = _lock_check(check_id, inspector)
        if not check.is_open:
            raise CaseConflict(
                "check_closed",
                _("这项事后核查已经有结论（%(status)s），请刷新页面查看。")
                % {"status": check.get_status_display()},
            )
        if expected_round is not None and expected_round != check.round:
            raise CaseConflict(
                "check_changed", _("这项事后核查刚刚由他人记录了结果，请刷新页面查看后再操作。")
            )
        before = check.status
        done_round = check.round
        check.findings = findings
        check.checked_by = inspector
        check.checked_at = timezone.now()
        if result == CheckResult.RECTIFY:
            check.status = CommitmentCheckStatus.RECTIFYING
            check.rectify_by = rectify_by
            check.round += 1
        else:
            check.status = (
                CommitmentCheckStatus.CONFIRMED
                if result == CheckResult.CONFIRMED
                else CommitmentCheckStatus.REVOKED
            )
        check.save(update_fields=["status", "rectify_by", "round", "findings", "checked_by", "checked_at"])
        if result == CheckResult.REVOKE:
            # Saved, not updated in bulk: public verification keeps answers until a row it shows is saved.
            permit = Permit.objects.filter(branch_id=check.branch_id).first()
            if permit is not None:
                permit.revoked_on = today
                permit.revocation_reason = findings
                permit.save(update_fields=["revoked_on", "revocation_reason"])
        case, item = check.case, check.branch.item
        event_append(
            case=case,
            actor=inspector,
            action=f"commitment_check_{result}",
            before=before,
            after=check.status,
            comment=findings,
            data={
                "item": item.code,
                "department": check.department.code,
                "round": done_round,
                **(
                    {"rectify_by": check.rectify_by.isoformat()}
                    if result == CheckResult.RECTIFY and check.rectify_by
                    else {}
                ),
            },
        )
        _check_notify(check, result)
    return check


def _lock_check(check_id: int, inspector: User) -> CommitmentCheck:
    """The check, locked with its case (the case row first, as every timeline write), for a member of
    the department that decided; 404 for anyone else, who may not learn it exists."""
    not_found = CaseNotFound("check_not_found", _(CHECK_NOT_FOUND))
    if inspector.role not in DEPARTMENT_ROLES or inspector.department_id is None:
        raise not_found
    found = CommitmentCheck.objects.filter(pk=check_id, department_id=inspector.department_id).values_list(
        "case_id", flat=True
    )
    case_id = found.first()
    if case_id is None:
        raise not_found
    Case.objects.select_for_update().filter(pk=case_id).first()
    return (
        CommitmentCheck.objects.select_for_update(of=("self",))
        .select_related("case__applicant", "branch__item", "department")
        .get(pk=check_id)
    )


def _sentence(text: str) -> str:
    """Findings as the end of a sentence, with one full stop whatever the inspector typed."""
    return text.rstrip().rstrip("。.；;，,") + "。"


def _check_notify(check: CommitmentCheck, result: str) -> None:
    case, item = check.case, check.branch.item
    if result == CheckResult.CONFIRMED:
        _notify_applicant(
            case,
            "告知承诺核查相符",
            f"{check.department.name}已对您的办件 {case.number} 中《{item.name}》的承诺内容进行现场核查，核查相符。",
        )
    elif result == CheckResult.RECTIFY:
        assert check.rectify_by is not None
        _notify_applicant(
            case,
            "告知承诺核查：请限期整改",
            f"{check.department.name}现场核查发现您的办件 {case.number} 中《{item.name}》与承诺不符，"
            f"请于{_day(check.rectify_by)}前完成整改，届时将再次核查：{_sentence(check.findings)}",
        )
    else:
        _notify_applicant(
            case,
            "告知承诺核查：决定撤销许可",
            f"{check.department.name}现场核查认定您的办件 {case.number} 中《{item.name}》的承诺与实际不符，"
            f"决定撤销该项许可：{_sentence(check.findings)}对决定不服的，可依法申请行政复议或提起行政诉讼。",
        )
        licence = case.licences.filter(status=LicenceStatus.VALID).order_by("-version").first()
        link = reverse("licenses:detail", args=[licence.pk]) if licence is not None else ""
        issuers = User.objects.filter(
            role=Role.ISSUER, is_active=True, service_center_id=case.service_center_id
        )
        if not issuers.exists():
            issuers = User.objects.filter(role=Role.ISSUER, is_active=True)
        for issuer in issuers:
            notify_user(
                user=issuer,
                title="告知承诺核查不实，需处理综合许可证",
                body=f"{check.department.name}决定撤销办件 {case.number}（{case.holder_name}）中的《{item.name}》，"
                + (
                    f"请据此变更或吊销综合许可证 {licence.number}。"
                    if licence is not None
                    else "该办件尚未发证，发证时综合许可证将不含此项许可。"
                ),
                case=case,
                link=link,
            )
