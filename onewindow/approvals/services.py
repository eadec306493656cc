"""Writes to branches: open on acceptance, decide, pause and resume the clock, request and decide extensions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import FileField, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import (
    APPLICANT_PAUSE_REASONS,
    DECIDED_BRANCH_STATUSES,
    EXTENSION_TEXT_MAX,
    OPEN_BRANCH_STATUSES,
    REPLY_KEY_MAX,
    REPLY_TEXT_MAX,
    Branch,
    BranchStatus,
    ClockPause,
    Extension,
    ExtensionStatus,
    RectificationReply,
    RectificationReplyFile,
)
from onewindow.approvals.selectors import approver_on_duty, decidable_branches, extension_approvers
from onewindow.cases.errors import CaseConflict, CaseError, CaseInvalid, CaseNotFound
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import (
    StoredFile,
    event_append,
    file_store,
    removed_on_failure,
    upload_check,
)
from onewindow.catalog.models import Department, ServiceItem
from onewindow.lib.workdays import STORED_SEPARATOR, UnpublishedYearError, WorkdayCalendar
from onewindow.licenses.services import permit_create, permit_number_for
from onewindow.notifications.services import notify_case_applicant, notify_user

MAX_REPLY_FILES = 10
# A permit valid for longer than this is a typing slip (9999-12-31), not a decision; one with no
# end at all is approved with an empty validity.
VALIDITY_MAX_YEARS = 30


# Joint inspections build on branches, so they are imported where used, not at module level.
def inspection_branch_opened(*, branch: Branch, actor: User | None) -> bool:
    from onewindow.inspections.services import inspection_branch_opened as hook

    return hook(branch=branch, actor=actor)


def commitment_check_schedule(*, branch: Branch) -> date | None:
    """Schedule the on-site check of a branch approved on commitment; its due date, or None."""
    from onewindow.inspections.services import commitment_check_schedule as schedule

    check = schedule(branch=branch)
    return check.due_on if check is not None else None


def inspection_holds_clock(branch: Branch) -> bool:
    from onewindow.inspections.selectors import inspection_holds_clock as holds

    return holds(branch)


def branch_due(calendar: WorkdayCalendar, branch: Branch) -> tuple[date, str]:
    """Due date: the limit plus extensions plus paused working days, counted from the opening day."""
    assert branch.opened_on is not None
    days = branch.limit_days + branch.extension_days + branch.paused_workdays
    try:
        result = calendar.add(branch.opened_on, days)
    except UnpublishedYearError as exc:
        raise CaseError("calendar_unpublished", exc.message) from None
    return result.date, STORED_SEPARATOR.join(result.warnings)[:500]


def workdays_between(calendar: WorkdayCalendar, start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; a year the calendar may not guess is
    refused with the administrator's task, as branch_due refuses it."""
    try:
        return calendar.between(start, end).days
    except UnpublishedYearError as exc:
        raise CaseError("calendar_unpublished", exc.message) from None


def _open(branch: Branch, calendar: WorkdayCalendar, today: date) -> None:
    branch.status = BranchStatus.PENDING
    branch.opened_on = today
    branch.due_on, branch.calendar_warning = branch_due(calendar, branch)


def branches_open(*, case: Case, actor: User) -> list[Branch]:
    """One branch per planned item, all at once; a branch with prerequisites waits for them."""
    planned = case.plan["items"]
    stuck = _never_released(planned)
    if stuck:
        names = "、".join(f"《{entry['name']}》" for entry in planned if entry["code"] in stuck)
        raise CaseError(
            "dependency_cycle",
            _(
                "本办件事项的前置关系形成循环，%(items)s将互相等待、永远无法开始审批，因此暂不能受理。"
                "请联系系统管理员修正该主题的前置关系。"
            )
            % {"items": names},
        )
    calendar = current_calendar()
    today = timezone.localdate()
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=[p["code"] for p in planned])}
    departments = {d.code: d for d in Department.objects.filter(code__in=[p["department"] for p in planned])}
    branches: dict[str, Branch] = {}
    for entry in planned:
        branch = Branch(
            case=case,
            item=items[entry["code"]],
            department=departments[entry["department"]],
            limit_days=entry.get("limit_days", entry["promised_limit_days"]),
            statutory_limit_days=entry["statutory_limit_days"],
            status=BranchStatus.WAITING,
        )
        if not entry["prerequisites"]:
            _open(branch, calendar, today)
        branches[entry["code"]] = branch
    # One insert for the branches (their ids come back on PostgreSQL and SQLite) and one for the links.
    Branch.objects.bulk_create(list(branches.values()))
    Link = Branch.prerequisites.through
    Link.objects.bulk_create(
        [
            Link(from_branch_id=branches[entry["code"]].pk, to_branch_id=branches[code].pk)
            for entry in planned
            for code in entry["prerequisites"]
        ]
    )
    event_append(
        case=case,
        actor=actor,
        action="branches_opened",
        data={
            "opened": [c for c, b in branches.items() if b.status == BranchStatus.PENDING],
            "waiting": [c for c, b in branches.items() if b.status == BranchStatus.WAITING],
        },
    )
    return list(branches.values())


def _never_released(planned: list[dict[str, Any]]) -> set[str]:
    """The planned items whose prerequisites lead round in a circle (or into one): no decision
    would ever release them. The bundle admin refuses a cycle; a plan taken before it was refused
    may still hold one."""
    waiting = {entry["code"]: set(entry["prerequisites"]) for entry in planned}
    released: set[str] = set()
    while ready := [code for code, needs in waiting.items() if needs <= released]:
        released.update(ready)
        for code in ready:
            del waiting[code]
    return set(waiting)


def _claim(branch_id: int, reviewer: User, expected_version: int | None) -> tuple[Branch, list[Branch]]:
    """Lock a branch of the reviewer's own department for a decision; a stale version is a conflict.

    Returns the branch and all its case's branches (it among them), read under the locks with the
    locked case set on each, so that releasing dependents and completing the case need no more reads.
    Locks are taken case first, then the case's branches in id order: the order for every write to a
    case's branches, so that two writers never wait for each other in a circle. The case lock
    serialises decisions on a case: of two at once, the second reads the version the first moved on
    (_save) and is refused.
    """
    if reviewer.role != Role.REVIEWER or reviewer.department_id is None:
        raise CaseNotFound("branch_not_found", _("没有找到这个子件。"))
    try:
        # Found through a branch of the reviewer's department only: another department's reviewer
        # is answered 404 by a statement that found, and so locked, nothing.
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("bundle", "applicant")
            .get(branches__id=branch_id, branches__department_id=reviewer.department_id)
        )
    except Case.DoesNotExist:
        raise CaseNotFound("branch_not_found", _("没有找到这个子件。")) from None
    branches = list(
        Branch.objects.select_for_update(of=("self",))
        .select_related("item", "department")
        .filter(case=case)
        .order_by("pk")
    )
    for each in branches:
        each.case = case
    branch = next(b for b in branches if b.pk == branch_id)
    if expected_version is not None and branch.version != expected_version:
        raise CaseConflict("branch_changed", _("该子件刚刚已被他人处理，请刷新页面查看最新结果。"))
    return branch, branches


def _save(branch: Branch, fields: Sequence[str]) -> None:
    """Save the changed fields of a locked branch and move its version on: pages showing it are stale."""
    branch.version += 1
    branch.save(update_fields=[*fields, "version"])


def _lock_case_and_branch(cases: Q, branch: Q, not_found: CaseNotFound) -> Branch:
    """Lock the case `cases` finds, then its branch `branch` finds (with its item and department,
    the locked case set on it): the order every write to a case's branches takes them (_claim).

    `cases` names who may act, so someone who may not is answered `not_found` by a statement that
    found, and so locked, nothing.
    """
    case = Case.objects.select_for_update(of=("self",)).filter(cases).first()
    if case is None:
        raise not_found
    locked = (
        Branch.objects.select_for_update(of=("self",))
        .select_related("item", "department")
        .get(branch, case=case)
    )
    locked.case = case
    return locked


def branch_approve(
    *,
    branch_id: int,
    reviewer: User,
    permit_number: str,
    valid_until: date | None,
    comment: str = "",
    expected_version: int | None = None,
) -> Branch:
    today = timezone.localdate()
    if valid_until is not None and valid_until <= today:
        raise CaseInvalid(
            "validity_past", _("有效期应晚于今天。"), fields={"valid_until": _("有效期应晚于今天。")}
        )
    if valid_until is not None and valid_until > _years_after(today, VALIDITY_MAX_YEARS):
        message = _("有效期截止日期应在今天之后、%(years)s 年之内。") % {"years": VALIDITY_MAX_YEARS}
        raise CaseInvalid("valid_until_out_of_range", message, fields={"valid_until": message})
    with transaction.atomic():
        branch, branches = _claim(branch_id, reviewer, expected_version)
        _require_status(branch, (BranchStatus.PENDING,))
        valid_until = _validity_within_term(branch.item, today, valid_until)
        before = branch.status
        branch.status = BranchStatus.APPROVED
        branch.permit_number = permit_number_for(branch, permit_number)
        branch.valid_from = today
        branch.valid_until = valid_until
        permit_create(branch=branch)  # the branch row itself is saved once, with the decision
        data = {"permit_number": branch.permit_number}
        check_due = commitment_check_schedule(branch=branch)
        if check_due is not None:
            data["commitment_check_due_on"] = check_due.isoformat()
        _decided(
            branch, branches, reviewer, before, comment, data, ("permit_number", "valid_from", "valid_until")
        )
    return branch


def _validity_within_term(item: ServiceItem, today: date, valid_until: date | None) -> date | None:
    """The validity an approval gives: an item with a legal term (result_validity_years) is valid
    for that term from today when no end is given, and never longer; other items as given (empty:
    长期有效)."""
    years = item.result_validity_years
    if not years:
        return valid_until
    term_end = validity_end(today, years)
    if valid_until is None:
        return term_end
    if valid_until > term_end:
        message = _(
            "本事项许可有效期依法为 %(years)s 年，有效期至最晚为 %(end)s，请改为不晚于该日期的日期。"
        ) % {
            "years": years,
            "end": f"{term_end:%Y-%m-%d}",
        }
        raise CaseInvalid("valid_until_beyond_term", message, fields={"valid_until": message})
    return valid_until


def validity_end(start: date, years: int) -> date:
    """The last day of a validity of `years` years starting on `start` (the day before the anniversary)."""
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year without one
        anniversary = start.replace(year=start.year + years, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def _years_after(day: date, years: int) -> date:
    """The same day `years` years on; 29 February falls back to the 28th in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def branch_deny(
    *, branch_id: int, reviewer: User, reason: str, legal_basis: str, expected_version: int | None = None
) -> Branch:
    problems = {}
    if not reason.strip():
        problems["reason"] = _("请写明不予许可的理由。")
    if not legal_basis.strip():
        problems["legal_basis"] = _("请写明法律依据。")
    if problems:
        raise CaseInvalid("deny_incomplete", _("不予许可必须写明理由和法律依据。"), fields=problems)
    with transaction.atomic():
        branch, branches = _claim(branch_id, reviewer, expected_version)
        _require_status(branch, (BranchStatus.PENDING,))
        before = branch.status
        branch.status = BranchStatus.DENIED
        branch.decision_reason = reason.strip()
        branch.decision_legal_basis = legal_basis.strip()
        _decided(
            branch,
            branches,
            reviewer,
            before,
            reason,
            {"legal_basis": legal_basis.strip()},
            ("decision_reason", "decision_legal_basis"),
        )
    return branch


def _require_status(branch: Branch, allowed: tuple[str, ...]) -> None:
    if branch.status not in allowed:
        labels = {
            BranchStatus.WAITING: _("该子件在等待前置审批结果，暂不能办理。"),
            BranchStatus.PAUSED: _("该子件正在暂停计时（整改或核查中），请先恢复计时。"),
        }
        message = labels.get(
            BranchStatus(branch.status),
            _("该子件已%(status)s，不能重复办理。") % {"status": branch.get_status_display()},
        )
        raise CaseConflict("branch_status", message)


def _decided(
    branch: Branch,
    branches: list[Branch],
    reviewer: User,
    before: str,
    comment: str,
    data: dict[str, str],
    fields: Sequence[str],
) -> None:
    """Save a decision (with its own changed `fields`), record it, and move the case on."""
    branch.decided_at = timezone.now()
    branch.decided_by = reviewer
    _save(branch, ["status", "decided_at", "decided_by", *fields])
    event_append(
        case=branch.case,
        actor=reviewer,
        action=f"branch_{branch.status}",
        before=before,
        after=branch.status,
        comment=comment,
        data={"item": branch.item.code, "department": branch.department.code, **data},
    )
    _release_dependents(branch, branches)
    _complete_if_done(branch.case, branches)


def _release_dependents(branch: Branch, branches: list[Branch]) -> None:
    """A waiting branch opens when all its prerequisites are decided (and sees their results).

    `branches` are all the case's branches, as _claim read them under the locks.
    """
    waiting = [b for b in branches if b.status == BranchStatus.WAITING]
    if not waiting:
        return
    Link = Branch.prerequisites.through
    links = Link.objects.filter(from_branch_id__in=[b.pk for b in waiting]).values_list(
        "from_branch_id", "to_branch_id"
    )
    prerequisites: dict[int, list[int]] = defaultdict(list)
    for dependent_id, prerequisite_id in links:
        prerequisites[dependent_id].append(prerequisite_id)
    by_id = {b.pk: b for b in branches}
    calendar = current_calendar()
    today = timezone.localdate()
    for dependent in waiting:
        needs = prerequisites[dependent.pk]
        if branch.pk not in needs or any(by_id[p].status not in DECIDED_BRANCH_STATUSES for p in needs):
            continue
        _open(dependent, calendar, today)
        _save(dependent, ["status", "opened_on", "due_on", "calendar_warning"])
        # A branch released while a joint inspection is under way joins its paused clock. That is
        # written through the inspection's own copy of the row; this one still says pending, which
        # is all _complete_if_done asks of it: the branch is open either way.
        inspection_branch_opened(branch=dependent, actor=None)
        event_append(
            case=branch.case,
            actor=None,
            action="branch_released",
            before=BranchStatus.WAITING,
            after=BranchStatus.PENDING,
            data={"item": dependent.item.code, "prerequisite": branch.item.code},
        )


def _complete_if_done(case: Case, branches: list[Branch]) -> None:
    """Once no branch is open, the case is approved, or denied with every refused item's reason.

    `case` is the case locked by _claim and `branches` all its branches as they now stand.
    """
    if any(b.status in OPEN_BRANCH_STATUSES for b in branches):
        return
    denied = [b for b in branches if b.status == BranchStatus.DENIED]
    before = case.status
    case.completed_at = timezone.now()
    if denied:
        case.status = CaseStatus.DENIED
        case.outcome_note = "；".join(f"{b.item.name}：{b.decision_reason}" for b in denied)
        message = f"您的办件 {case.number} 审批完成，其中 {len(denied)} 项不予许可：{case.outcome_note}"
    else:
        case.status = CaseStatus.APPROVED
        message = f"您的办件 {case.number} 所有事项均已准予许可，即将发放综合许可证。"
    event_append(
        case=case,
        actor=None,
        action="approval_completed",
        before=before,
        after=case.status,
        comment=case.outcome_note,
        data={"denied": [b.item.code for b in denied]},
        case_fields=("status", "completed_at", "outcome_note", "updated_at"),
    )
    notify_case_applicant(case, "审批完成", message)


# What the applicant is told when a branch's clock stops. Only a supplement or a rectification asks
# him to act (APPLICANT_PAUSE_REASONS, answered on his reply page); a site check or an expert
# review only tells him why the time stands still.
PAUSE_NOTICES: dict[str, tuple[str, str]] = {
    ClockPause.Reason.SUPPLEMENT: (
        "需要补正材料",
        "您的办件 {number} 中《{item}》需要补正：{note}。补正期间不计入审批时限。",
    ),
    ClockPause.Reason.RECTIFICATION: (
        "需要整改",
        "您的办件 {number} 中《{item}》需要整改：{note}。整改期间不计入审批时限。",
    ),
    ClockPause.Reason.SITE_CHECK: (
        "现场核查，暂停计时",
        "您的办件 {number} 中《{item}》需进行现场核查：{note}。核查期间暂停计时，不计入审批时限，无需在线答复。",
    ),
    ClockPause.Reason.EXPERT: (
        "检验检测、专家评审，暂停计时",
        "您的办件 {number} 中《{item}》进入检验检测、专家评审：{note}。期间暂停计时，不计入审批时限，无需在线答复。",
    ),
}


def branch_pause(
    *, branch_id: int, reviewer: User, reason: str, note: str, expected_version: int | None = None
) -> Branch:
    """Stop the clock (rectification, site check, expert review): the time does not count."""
    if reason not in ClockPause.Reason.values:
        message = _("暂停计时的原因不正确。")
        raise CaseInvalid("pause_reason", message, fields={"reason": message})
    if not note.strip():
        if reason in APPLICANT_PAUSE_REASONS:
            message, field = _("请写明需要申请人整改或补充的内容。"), _("请填写整改要求。")
        else:
            message, field = _("请写明暂停计时的事由，如核查、检测或评审的安排。"), _("请填写暂停说明。")
        raise CaseInvalid("note_required", message, fields={"note": field})
    with transaction.atomic():
        branch, _branches = _claim(branch_id, reviewer, expected_version)
        _require_status(branch, (BranchStatus.PENDING,))
        today = timezone.localdate()
        ClockPause.objects.create(branch=branch, reason=reason, started_on=today)
        branch.status = BranchStatus.PAUSED
        branch.rectification_note = note.strip()
        _save(branch, ["status", "rectification_note"])
        event_append(
            case=branch.case,
            actor=reviewer,
            action="branch_paused",
            before=BranchStatus.PENDING,
            after=BranchStatus.PAUSED,
            comment=note,
            data={"item": branch.item.code, "reason": reason},
        )
        title, body = PAUSE_NOTICES[reason]
        notify_case_applicant(
            branch.case,
            title,
            body.format(number=branch.case.number, item=branch.item.name, note=note.strip()),
        )
    return branch


def pause_end(*, branch: Branch, pause: ClockPause | None, today: date, calendar: WorkdayCalendar) -> int:
    """End the branch's open pause today; its working days move the due date later.

    Saves the pause; sets the branch's paused days and due date without saving them, for the
    caller to save with its own changes in one update. Returns the working days the pause lasted.
    """
    paused = 0
    if pause is not None:
        pause.ended_on = today
        pause.save(update_fields=["ended_on"])
        paused = workdays_between(calendar, pause.started_on, today)
    branch.paused_workdays += paused
    branch.due_on, branch.calendar_warning = branch_due(calendar, branch)
    return paused


def branch_resume(
    *, branch_id: int, reviewer: User, comment: str = "", expected_version: int | None = None
) -> Branch:
    """Restart the clock; the paused working days move the due date later."""
    with transaction.atomic():
        branch, _branches = _claim(branch_id, reviewer, expected_version)
        _require_status(branch, (BranchStatus.PAUSED,))
        if inspection_holds_clock(branch):
            raise CaseConflict(
                "inspection_holds_clock", _("该子件正在联合核查中，核查通过后将自动恢复计时，无需手动恢复。")
            )
        pause = branch.pauses.filter(ended_on__isnull=True).first()
        paused = pause_end(
            branch=branch, pause=pause, today=timezone.localdate(), calendar=current_calendar()
        )
        branch.status = BranchStatus.PENDING
        _save(branch, ["paused_workdays", "status", "due_on", "calendar_warning"])
        assert branch.due_on is not None
        event_append(
            case=branch.case,
            actor=reviewer,
            action="branch_resumed",
            before=BranchStatus.PAUSED,
            after=BranchStatus.PENDING,
            comment=comment,
            data={"item": branch.item.code, "paused_workdays": paused, "due_on": branch.due_on.isoformat()},
        )
    return branch


def _reply_checked(uploads: Sequence[UploadedFile]) -> list[tuple[UploadedFile, bytes, str]]:
    """Each file checked by content and size; a refused one is named beside the attachments field."""
    checked = []
    for upload in uploads:
        try:
            checked.append((upload, *upload_check(upload)))
        except CaseInvalid as exc:
            message = _("“%(name)s”：%(problem)s") % {"name": upload.name or "", "problem": exc.message}
            raise CaseInvalid(exc.code, message, fields={"attachments": message}) from None
    return checked


def branch_reply(
    *, branch_id: int, applicant: User, text: str, attachments: Sequence[UploadedFile] = (), key: str = ""
) -> RectificationReply:
    """The applicant answers what the department asked when it paused the clock (整改、补正).

    Only the case's applicant, only while the branch is paused for him; the clock stays stopped
    until the reviewer, having read the answer, resumes it (branch_resume). `key` is the one-time
    key of the page the answer was written on: a request repeated with it (a second tap while the
    files upload) saves and notifies nothing again and returns the reply the first one saved.
    """
    if len(key) > REPLY_KEY_MAX or "\x00" in key:
        raise CaseInvalid("reply_key", _("提交令牌无效，请刷新页面后重新提交。"))
    text = text.strip()
    if not text:
        raise CaseInvalid(
            "reply_required", _("请写明已如何整改或补充。"), fields={"text": _("请填写答复内容。")}
        )
    if len(text) > REPLY_TEXT_MAX:
        message = _("答复内容最多 %(count)s 个字，详细情况请作为附件上传。") % {"count": REPLY_TEXT_MAX}
        raise CaseInvalid("reply_too_long", message, fields={"text": message})
    if len(attachments) > MAX_REPLY_FILES:
        message = _("一次最多上传 %(count)s 个文件。") % {"count": MAX_REPLY_FILES}
        raise CaseInvalid("too_many_files", message, fields={"attachments": message})
    checked = _reply_checked(attachments)
    file_field = RectificationReplyFile._meta.get_field("file")
    assert isinstance(file_field, FileField)
    stored: list[StoredFile] = []
    # The files are written before any lock is taken and removed again if the answer is not kept,
    # so a rolled-back answer leaves no file behind and no row points at a missing one.
    with removed_on_failure(stored):
        for upload, content, mime in checked:
            stored.append(file_store(upload, content, mime, field=file_field))
        reply, saved = _reply_save(
            branch_id=branch_id, applicant=applicant, text=text, key=key, stored=stored
        )
    if not saved:
        # A repeated request: the first one's answer stands, this one's copies of the files go.
        for file in stored:
            file.storage.delete(file.name)
    return reply


def _reply_save(
    *, branch_id: int, applicant: User, text: str, key: str, stored: Sequence[StoredFile]
) -> tuple[RectificationReply, bool]:
    """The reply saved with its `stored` files, and True; or the one an earlier request with the
    same key saved, and False."""
    with transaction.atomic():
        branch = _lock_case_and_branch(
            Q(branches__id=branch_id, applicant=applicant),
            Q(pk=branch_id),
            CaseNotFound("branch_not_found", _("没有找到这个事项。")),
        )
        case = branch.case
        # Read under the case lock: a request with the same key may have committed while we waited.
        earlier = (
            RectificationReply.objects.filter(pause__branch_id=branch_id, key=key).first() if key else None
        )
        if earlier is not None:
            return earlier, False
        pause = branch.pauses.filter(ended_on__isnull=True, reason__in=APPLICANT_PAUSE_REASONS).first()
        if branch.status != BranchStatus.PAUSED or pause is None or inspection_holds_clock(branch):
            raise CaseConflict(
                "no_request_open", _("该事项目前没有需要您答复的整改要求，请刷新办件进度查看最新情况。")
            )
        reply = RectificationReply.objects.create(
            pause=pause, text=text, submitted_by=applicant, submitted_at=timezone.now(), key=key
        )
        for file in stored:
            RectificationReplyFile.objects.create(
                reply=reply,
                file=file.name,
                original_name=file.original_name,
                content_type=file.mime,
                size=file.size,
                sha256=file.sha256,
            )
        event_append(
            case=case,
            actor=applicant,
            action="rectification_replied",
            comment=text,
            data={
                "item": branch.item.code,
                "department": branch.department.code,
                "reply": reply.pk,
                "files": len(stored),
            },
        )
        link = reverse("approvals:branch", args=[branch.pk])
        body = f"办件 {case.number}（{case.holder_name}）的《{branch.item.name}》申请人已答复整改要求，请审核后恢复计时。"
        for reviewer in User.objects.filter(
            role=Role.REVIEWER, department_id=branch.department_id, is_active=True
        ):
            notify_user(user=reviewer, title="申请人已答复整改要求", body=body, case=case, link=link)
    return reply, True


def _extension_text(value: str, field: str, *, missing: str = "") -> str:
    """A reason or comment of an extension, trimmed; empty when `missing` says what to write, or too
    long (it goes into an SMS), is refused."""
    text = value.strip()
    if missing and not text:
        raise CaseInvalid("reason_required", missing, fields={field: missing})
    if len(text) > EXTENSION_TEXT_MAX:
        message = _("最多 %(count)s 个字，请精简后重新提交。") % {"count": EXTENSION_TEXT_MAX}
        raise CaseInvalid("text_too_long", message, fields={field: message})
    return text


def extension_request(
    *,
    branch_id: int,
    reviewer: User,
    approver: User,
    days: int,
    reason: str,
    expected_version: int | None = None,
) -> Extension:
    """Ask the named approver to extend the deadline (延期申请): nothing moves until he approves.

    Once per branch, within the item's statutory extension; one request waits at a time. A request
    still waiting for an approver who is no longer on duty for the branch (his account stopped, he
    moved) can never be decided: it is voided, with the reason on the timeline, and the new one made.
    """
    reason = _extension_text(reason, "reason", missing=_("请写明延期理由。"))
    with transaction.atomic():
        branch, _branches = _claim(branch_id, reviewer, expected_version)
        _require_status(branch, (BranchStatus.PENDING, BranchStatus.PAUSED))
        allowed = branch.item.statutory_extension_days
        if allowed == 0:
            raise CaseInvalid(
                "extension_not_allowed",
                _("该事项没有法定延长期限，不能申请延期。如确需延长，请按程序报批。"),
                fields={"days": _("该事项依法不能延长审批期限。")},
            )
        if not extension_approvers(branch, reviewer).filter(pk=approver.pk).exists():
            raise CaseInvalid(
                "approver_required",
                _("审批人应为在岗的督查/管理人员或本部门其他审批人员，不能是本人。"),
                fields={"approver": _("请从列表中选择审批人。")},
            )
        extensions = list(
            branch.extensions.select_related("approver", "requested_by").filter(
                status__in=(ExtensionStatus.PENDING, ExtensionStatus.APPROVED)
            )
        )
        if any(e.status == ExtensionStatus.APPROVED for e in extensions):
            raise CaseConflict("already_extended", _("该子件已经延期过一次，依法不能再次延期。"))
        for waiting in extensions:  # at most one (approvals_one_pending_extension)
            if approver_on_duty(waiting, branch):
                raise CaseConflict(
                    "extension_pending",
                    _("该子件已有一份延期申请等待%(name)s审批，审批完成前不能再次申请。")
                    % {"name": waiting.approver.name},
                )
            _extension_void(waiting, branch)
        if days < 1 or days > allowed:
            raise CaseInvalid(
                "extension_days",
                _("延长天数应在 1 至 %(days)s 个工作日之间。") % {"days": allowed},
                fields={"days": _("最多可延长 %(days)s 个工作日。") % {"days": allowed}},
            )
        extension = Extension.objects.create(
            branch=branch,
            days=days,
            reason=reason,
            status=ExtensionStatus.PENDING,
            requested_by=reviewer,
            requested_at=timezone.now(),
            approver=approver,
        )
        case = branch.case
        event_append(
            case=case,
            actor=reviewer,
            action="branch_extension_requested",
            comment=reason,
            data={
                "item": branch.item.code,
                "department": branch.department.code,
                "days": days,
                "approver": approver.name,
                "extension": extension.pk,
            },
        )
        notify_user(
            user=approver,
            title="延期申请待您审批",
            body=(
                f"{reviewer.name}申请将办件 {case.number}（{case.holder_name}）《{branch.item.name}》"
                f"的审批期限延长 {days} 个工作日，理由：{reason}。请审批。"
            ),
            case=case,
            link=reverse("approvals:extensions"),
        )
    return extension


def _extension_void(extension: Extension, branch: Branch) -> None:
    """Void a waiting request its approver can no longer decide; the reason goes on the timeline."""
    reason = f"审批人{extension.approver.name}已不在岗（账号停用、调离或不再担任审批职务），这份延期申请无人审批，已作废。"
    extension.status = ExtensionStatus.VOIDED
    extension.withdrawn_at = timezone.now()
    extension.decision_comment = reason
    extension.save(update_fields=["status", "withdrawn_at", "decision_comment"])
    event_append(
        case=branch.case,
        actor=None,
        action="branch_extension_voided",
        comment=reason,
        data={
            "item": branch.item.code,
            "department": branch.department.code,
            "days": extension.days,
            "approver": extension.approver.name,
            "extension": extension.pk,
        },
    )


def extension_withdraw(*, extension_id: int, reviewer: User) -> Extension:
    """The requester withdraws his request still waiting (撤回延期申请): nothing had moved, and a new
    request, to the same approver or another, may be made. The approver is told not to decide it."""
    not_found = CaseNotFound("extension_not_found", _("没有找到这份延期申请，或它不是您提出的。"))
    if reviewer.role != Role.REVIEWER or reviewer.department_id is None:
        raise not_found
    with transaction.atomic():
        branch = _lock_case_and_branch(
            Q(
                branches__extensions__id=extension_id,
                branches__extensions__requested_by=reviewer,
                branches__department_id=reviewer.department_id,
            ),
            Q(extensions__id=extension_id),
            not_found,
        )
        extension = _lock_extension(extension_id, branch)
        if extension.status != ExtensionStatus.PENDING:
            raise CaseConflict(
                "extension_decided",
                _("这份延期申请已%(status)s，不能撤回。") % {"status": extension.get_status_display()},
            )
        extension.status = ExtensionStatus.WITHDRAWN
        extension.withdrawn_at = timezone.now()
        extension.save(update_fields=["status", "withdrawn_at"])
        case = branch.case
        event_append(
            case=case,
            actor=reviewer,
            action="branch_extension_withdrawn",
            data={
                "item": branch.item.code,
                "department": branch.department.code,
                "days": extension.days,
                "approver": extension.approver.name,
                "extension": extension.pk,
            },
        )
        if extension.approver.is_active:
            notify_user(
                user=extension.approver,
                title="延期申请已撤回",
                body=(
                    f"{reviewer.name}已撤回办件 {case.number}（{case.holder_name}）《{branch.item.name}》"
                    f"延长 {extension.days} 个工作日的申请，无需再审批。"
                ),
                case=case,
                link=reverse("approvals:extensions"),
            )
    return extension


def _lock_extension(extension_id: int, branch: Branch) -> Extension:
    """The extension request, locked after its case and branch (the lock order of every branch write)."""
    extension = (
        Extension.objects.select_for_update(of=("self",))
        .select_related("requested_by", "approver")
        .get(pk=extension_id)
    )
    extension.branch = branch
    return extension


def _claim_extension(extension_id: int, approver: User) -> tuple[Extension, Branch]:
    """Lock an extension request named to this approver, with its branch and case; others, and he
    once he may no longer decide it (decidable_branches), get 404.

    Locks in the order every write to a case's branches takes them (_claim): case, then branch,
    then the request itself.
    """
    branch = _lock_case_and_branch(
        Q(branches__extensions__id=extension_id, branches__extensions__approver=approver)
        & decidable_branches(approver, "branches"),
        Q(extensions__id=extension_id),
        CaseNotFound("extension_not_found", _("没有找到这份延期申请，或它不由您审批。")),
    )
    extension = _lock_extension(extension_id, branch)
    if extension.status != ExtensionStatus.PENDING:
        raise CaseConflict(
            "extension_decided",
            _("这份延期申请已审批（%(status)s），不能重复审批。")
            % {"status": extension.get_status_display()},
        )
    if branch.status not in OPEN_BRANCH_STATUSES:
        raise CaseConflict(
            "branch_decided",
            _("该子件已%(status)s，延期申请无需再审批。") % {"status": branch.get_status_display()},
        )
    return extension, branch


def extension_approve(*, extension_id: int, approver: User, comment: str = "") -> Extension:
    """The named approver approves: the due date moves by the requested working days."""
    comment = _extension_text(comment, "comment")
    with transaction.atomic():
        extension, branch = _claim_extension(extension_id, approver)
        extension.status = ExtensionStatus.APPROVED
        extension.approved_by = approver
        extension.approved_at = timezone.now()
        extension.decision_comment = comment
        extension.save(update_fields=["status", "approved_by", "approved_at", "decision_comment"])
        branch.extension_days += extension.days
        if branch.opened_on is not None:
            branch.due_on, branch.calendar_warning = branch_due(current_calendar(), branch)
        _save(branch, ["extension_days", "due_on", "calendar_warning"])
        case = branch.case
        due = f"{branch.due_on:%Y-%m-%d}" if branch.due_on else ""
        event_append(
            case=case,
            actor=approver,
            action="branch_extended",
            comment=extension.reason,
            data={
                "item": branch.item.code,
                "days": extension.days,
                "approver": approver.name,
                "extension": extension.pk,
                "due_on": due,
                "approver_comment": comment,
            },
        )
        notify_user(
            user=extension.requested_by,
            title="延期申请已批准",
            body=(
                f"办件 {case.number}（{case.holder_name}）《{branch.item.name}》的延期申请已由{approver.name}批准，"
                f"延长 {extension.days} 个工作日，到期日为 {due}。"
            ),
            case=case,
            link=reverse("approvals:branch", args=[branch.pk]),
        )
        # The applicant is told of an extension and its reason (行政许可法 第四十二条).
        notify_case_applicant(
            case,
            "审批期限延长",
            f"您的办件 {case.number}《{branch.item.name}》经批准延长审批期限 {extension.days} 个工作日，"
            f"到期日为 {due}。理由：{extension.reason}",
        )
    return extension


def extension_decline(*, extension_id: int, approver: User, reason: str) -> Extension:
    """The named approver declines, with a reason the requester is told; the due date stays."""
    reason = _extension_text(reason, "reason", missing=_("不批准延期须写明理由。"))
    with transaction.atomic():
        extension, branch = _claim_extension(extension_id, approver)
        extension.status = ExtensionStatus.DECLINED
        extension.declined_at = timezone.now()
        extension.decision_comment = reason
        extension.save(update_fields=["status", "declined_at", "decision_comment"])
        case = branch.case
        event_append(
            case=case,
            actor=approver,
            action="branch_extension_declined",
            comment=reason,
            data={
                "item": branch.item.code,
                "days": extension.days,
                "approver": approver.name,
                "extension": extension.pk,
            },
        )
        due = f"{branch.due_on:%Y-%m-%d}" if branch.due_on else ""
        notify_user(
            user=extension.requested_by,
            title="延期申请未获批准",
            body=(
                f"办件 {case.number}（{case.holder_name}）《{branch.item.name}》延长 {extension.days} 个工作日的申请"
                f"未获{approver.name}批准，理由：{reason}。请在原到期日 {due} 前办结。"
            ),
            case=case,
            link=reverse("approvals:branch", args=[branch.pk]),
        )
    return extension


@dataclass(frozen=True)
class DueDatesRecomputed:
    """What a change of the holiday table did to the open branches' deadlines."""

    moved: int  # branches whose due date moved
    kept: int  # branches left as they were: their count reaches a year the calendar may not guess


def due_dates_recompute(*, first: date, last: date, actor: User) -> DueDatesRecomputed:
    """Count again the deadlines of the open branches after the holiday table changed for the days
    `first`..`last` (a holiday or make-up day entered, changed or deleted; a year's schedule entered).

    A branch's due date and its calendar warning, and the working days of its ended pauses, were
    counted with the table as it stood then; only the branches whose counted days reach the changed
    ones are read again. A moved due date is recorded on the case's timeline, as a resume or an
    extension records its own. Call inside the transaction that changed the table, after the change:
    the calendar is then read with it.
    """
    calendar = current_calendar()
    # A day counts for a branch if it falls after the opening day and by the due date, or in one of
    # its ended pauses (which may lie past the due date of a branch paused when already overdue).
    ended_pauses = ClockPause.objects.filter(ended_on__gte=first).values("branch_id")
    touched = list(
        Branch.objects.filter(status__in=OPEN_BRANCH_STATUSES, opened_on__lt=last)
        .filter(Q(due_on__gte=first) | Q(pk__in=ended_pauses))
        .order_by("case_id", "pk")
        .values_list("pk", flat=True)
    )
    moved = kept = 0
    for branch_id in touched:
        try:
            with transaction.atomic():
                if _due_recompute(branch_id, calendar, actor):
                    moved += 1
        except CaseError:  # calendar_unpublished: the date stays until the year is entered
            kept += 1
    return DueDatesRecomputed(moved, kept)


def _due_recompute(branch_id: int, calendar: WorkdayCalendar, actor: User) -> bool:
    """Count one branch's deadline again with `calendar`; True if its due date moved."""
    branch = _lock_case_and_branch(
        Q(branches__id=branch_id), Q(pk=branch_id), CaseNotFound("branch_not_found", _("没有找到这个子件。"))
    )
    if branch.status not in OPEN_BRANCH_STATUSES or branch.opened_on is None:
        return False  # decided meanwhile
    before = branch.due_on, branch.calendar_warning, branch.paused_workdays
    branch.paused_workdays = 0
    for pause in branch.pauses.filter(ended_on__isnull=False):
        assert pause.ended_on is not None
        branch.paused_workdays += workdays_between(calendar, pause.started_on, pause.ended_on)
    branch.due_on, branch.calendar_warning = branch_due(calendar, branch)
    if (branch.due_on, branch.calendar_warning, branch.paused_workdays) == before:
        return False
    _save(branch, ["due_on", "calendar_warning", "paused_workdays"])
    if branch.due_on == before[0]:
        return False  # only the warning said more or less: nothing happened to the case
    assert branch.due_on is not None and before[0] is not None
    event_append(
        case=branch.case,
        actor=actor,
        action="branch_due_recomputed",
        data={
            "item": branch.item.code,
            "department": branch.department.code,
            "due_on_before": before[0].isoformat(),
            "due_on": branch.due_on.isoformat(),
            "paused_workdays": branch.paused_workdays,
        },
    )
    return True


def due_state(branch: Branch, today: date, soon_workdays: int, calendar: WorkdayCalendar) -> str:
    """ "overdue", "due_soon" or "" for an open branch, by working days left."""
    if branch.status not in (BranchStatus.PENDING,) or branch.due_on is None:
        return ""
    return date_urgency(branch.due_on, today, soon_workdays, calendar)


def date_urgency(due_on: date, today: date, soon_workdays: int, calendar: WorkdayCalendar) -> str:
    """ "overdue", "due_soon" or "" for anything due on `due_on` (a branch, a check on site)."""
    if due_on < today:
        return "overdue"
    if due_on <= today + timedelta(days=1) or workdays_between(calendar, today, due_on) <= soon_workdays:
        return "due_soon"
    return ""
