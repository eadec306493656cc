"""Reads of cases: an applicant's cases, the window's queue, progress and the audit check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.services import event_payload
from onewindow.lib.hashchain import ChainBreak, verify_chain
from onewindow.lib.workdays import STORED_SEPARATOR, UnpublishedYearError, stored_warnings_shown


def cases_for_applicant(user: User) -> QuerySet[Case]:
    return Case.objects.filter(applicant=user).select_related("bundle").order_by("-created_at")


def cases_assisted_by(user: User) -> QuerySet[Case]:
    """Cases a clerk or guidance agent filed on someone's behalf, newest first."""
    return Case.objects.filter(assisted_by=user).select_related("bundle").order_by("-created_at")


def cases_listed_for(user: User) -> QuerySet[Case]:
    """我的办件 for this account, on the page and in the API: an applicant's own cases; for window and
    guidance staff, the cases they file for others; nothing for other roles (they have their queues)."""
    if user.role == Role.APPLICANT:
        return cases_for_applicant(user)
    if user.role in (Role.CLERK, Role.AGENT):
        return cases_assisted_by(user)
    return Case.objects.none()


# The window's queue has these tabs; a draft, or a case past the window, is in none of them.
WINDOW_QUEUE_STATUSES = (CaseStatus.SUBMITTED, CaseStatus.SUPPLEMENT, CaseStatus.REFUSED)


def window_queue(clerk: User, status: str = CaseStatus.SUBMITTED) -> QuerySet[Case]:
    """The clerk's centre's cases in one status, oldest submission first; never a draft not yet
    submitted, which is the applicant's alone."""
    return (
        Case.objects.filter(
            service_center_id=clerk.service_center_id, status=status, submitted_at__isnull=False
        )
        .select_related("bundle", "applicant", "assisted_by")
        .order_by("submitted_at", "id")
    )


@dataclass(frozen=True)
class AuditFinding:
    case_number: str
    case_id: int
    breaks: list[ChainBreak[int]]


# Internal ids are short; a case number (4290062026113000001) is all digits too, but never this short.
_INTERNAL_ID_MAX_DIGITS = 11


def case_ids_for(references: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the cases named by their case number (办件编号) or internal id ("12", or "#12" as the
    audit names a draft), and the references that name no case. A case's number wins over another
    case's internal id.
    """
    wanted = [r.strip() for r in references]
    internal: dict[str, int] = {}
    for reference in wanted:
        digits = reference.removeprefix("#")
        if digits.isascii() and digits.isdigit() and len(digits) <= _INTERNAL_ID_MAX_DIGITS:
            internal[reference] = int(digits)
    rows = list(
        Case.objects.filter(Q(number__in=wanted) | Q(pk__in=internal.values())).values_list("pk", "number")
    )
    by_number = {number: pk for pk, number in rows if number}
    existing = {pk for pk, _number in rows}
    ids: list[int] = []
    unknown: list[str] = []
    for reference in wanted:
        pk = by_number.get(reference)
        if pk is None and internal.get(reference) in existing:
            pk = internal[reference]
        if pk is None:
            unknown.append(reference)
        elif pk not in ids:
            ids.append(pk)
    return ids, unknown


def audit_verify(case_ids: list[int] | None = None) -> tuple[int, list[AuditFinding]]:
    """Check the event chain of every case, or of the cases `case_ids`; returns (cases checked,
    findings for broken chains).

    Each row must match its own hash and the one before it; the chain must end at the seq and
    hash kept on the case, so an edited last row whose hash was recomputed, a deleted last row or
    an appended row is found too.
    """
    cases = Case.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    findings = []
    checked = 0
    for case in cases.only("pk", "number", "last_event_seq", "last_event_hash").iterator(chunk_size=500):
        checked += 1
        events = list(CaseEvent.objects.filter(case_id=case.pk).order_by("seq"))
        breaks: list[ChainBreak[int]] = []
        end_seq = case.last_event_seq
        # The case's seq changed while its hash still names a row: the counter was edited, and the
        # rows up to that row are not extra.
        anchor = next((e for e in events if case.last_event_hash and e.hash == case.last_event_hash), None)
        if anchor is not None and anchor.seq != end_seq:
            breaks.append(
                ChainBreak(
                    anchor.pk,
                    events.index(anchor),
                    "case_seq_mismatch",
                    _(
                        "办件上保存的记录链末尾序号为第%(saved)s号，而保存的末尾哈希值属于第%(seq)s号记录："
                        "办件上的记录序号被改动。请与数据库备份核对，并报告系统管理员。"
                    )
                    % {"saved": end_seq, "seq": anchor.seq},
                )
            )
            end_seq = anchor.seq
        breaks += verify_chain(
            ((e.pk, event_payload(e), e.prev_hash, e.hash) for e in events), expected_last_seq=end_seq
        )
        if not any(b.code == "tail_missing" for b in breaks):
            end = _chain_end_break(events, end_seq, case.last_event_hash)
            if end is not None:
                breaks.append(end)
        if breaks:
            findings.append(AuditFinding(case.number or f"#{case.pk}", case.pk, breaks))
    return checked, findings


def _chain_end_break(events: list[CaseEvent], end_seq: int, end_hash: str) -> ChainBreak[int] | None:
    """A break if the row at the chain's end kept on the case (`end_seq`) does not have the hash
    kept there (`end_hash`), else None. Rows after it are verify_chain's to report, as extra rows."""
    end = next((e for e in events if e.seq == end_seq), None)
    if end is not None and end.hash == end_hash:
        return None
    if end is None and not end_hash and not end_seq:
        return None
    return ChainBreak(
        end.pk if end else None,
        events.index(end) if end else len(events),
        "tail_hash_mismatch",
        _(
            "最后一条记录与办件上保存的记录链末尾不符：最后一条记录可能被修改后重新计算了哈希值，"
            "或末尾的记录被删除。请与数据库备份核对，并报告系统管理员。"
        ),
    )


@dataclass(frozen=True)
class DueSummary:
    """The date the applicant may expect every department to have decided by."""

    latest: date | None
    estimated: bool  # `latest` counts estimates of branches still waiting for a prerequisite
    waiting_left_out: bool  # a waiting branch with no estimate (its prerequisite is paused) is not counted
    estimates: dict[int, date]  # waiting branch id → its estimated due date
    # A date counted through a year whose holidays are not entered yet may still move: what the
    # calendar said about the dates above, in the reader's language, each once.
    warnings: tuple[str, ...] = ()


def case_due_summary(branches: list[Branch]) -> DueSummary:
    """Due dates of the open branches; a waiting branch is estimated as the latest due date of its
    prerequisites plus its own limit in working days, which is when it falls due if every
    prerequisite is decided on its last day (branches_open and _release_dependents count the same way).

    `branches`: all the case's branches, their prerequisites prefetched.
    """
    calendar = current_calendar()
    today = timezone.localdate()
    by_id = {b.pk: b for b in branches}
    estimates: dict[int, date | None] = {}
    warnings: dict[str, None] = {}

    def decided_by(branch: Branch, seen: frozenset[int]) -> date | None:
        """The last day the branch is decided on if every department uses its time; None if unknown."""
        if branch.decided_at is not None:
            return timezone.localdate(branch.decided_at)
        if branch.status == BranchStatus.WAITING:
            return estimate(branch, seen)
        # A paused branch's due date moves later by the pause: it is no date to promise.
        return branch.due_on if branch.status == BranchStatus.PENDING else None

    def estimate(branch: Branch, seen: frozenset[int]) -> date | None:
        if branch.pk in estimates:
            return estimates[branch.pk]
        ends = [
            decided_by(by_id[p.pk], seen | {branch.pk}) if p.pk in by_id and p.pk not in seen else None
            for p in branch.prerequisites.all()
        ]
        result: date | None = None
        if ends and all(ends):
            # It cannot start before today, however late its prerequisites already are.
            start = max([today, *(end for end in ends if end)])
            days = branch.limit_days + branch.extension_days + branch.paused_workdays
            try:
                counted = calendar.add(start, days)
            except UnpublishedYearError:
                result = None
            else:
                result = counted.date
                warnings.update(dict.fromkeys(counted.warnings))
        estimates[branch.pk] = result
        return result

    due: list[date] = []
    estimated = waiting_left_out = False
    for branch in branches:
        if branch.decided_at is not None:
            continue
        if branch.status == BranchStatus.WAITING:
            guess = estimate(branch, frozenset())
            if guess is None:
                waiting_left_out = True
            else:
                due.append(guess)
                estimated = True
        elif branch.status == BranchStatus.PENDING and branch.due_on:
            due.append(branch.due_on)
            if branch.calendar_warning:
                warnings.update(
                    dict.fromkeys(
                        stored_warnings_shown(part)
                        for part in branch.calendar_warning.split(STORED_SEPARATOR)
                    )
                )
    return DueSummary(
        latest=max(due) if due else None,
        estimated=estimated,
        waiting_left_out=waiting_left_out,
        estimates={pk: day for pk, day in estimates.items() if day is not None},
        warnings=tuple(w for w in warnings if w),
    )
