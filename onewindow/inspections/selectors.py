"""Reads of joint inspections (what can be inspected, "my inspections", the shared checklist, the
notice) and of the checks of commitments after approval."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, ClockPause
from onewindow.approvals.services import date_urgency
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.timeline import action_label
from onewindow.catalog.models import Department
from onewindow.inspections.models import (
    ACTIVE_INSPECTION_STATUSES,
    OPEN_CHECK_STATUSES,
    ChecklistEntry,
    ChecklistPhoto,
    ChecklistResult,
    CommitmentCheck,
    CommitmentCheckStatus,
    InspectionAssignment,
    InspectionStatus,
    JointInspection,
    RectificationNotice,
    RectificationReport,
)
from onewindow.inspections.permissions import DEPARTMENT_ROLES, ORGANISER_ROLES, is_organiser_for
from onewindow.lib.workdays import WorkdayCalendar

SCHEDULABLE_BRANCH_STATUSES = (BranchStatus.PENDING, BranchStatus.WAITING)
# Pauses this app opens and closes; a reviewer's own pauses (expert review …) are left alone.
INSPECTION_PAUSE_REASONS = (ClockPause.Reason.SITE_CHECK, ClockPause.Reason.RECTIFICATION)

# This app's events on a case's timeline (their names: onewindow.cases.timeline).
INSPECTION_ACTIONS = (
    "inspection_scheduled",
    "checklist_recorded",
    "inspection_findings_issued",
    "inspection_rectification_reported",
    "reinspection_scheduled",
    "inspection_passed",
    "inspection_closed",
)


def schedulable_branches(case: Case) -> list[Branch]:
    """Open branches whose item needs a site check and that no passed or running inspection covers."""
    covered = InspectionAssignment.objects.filter(
        branch=OuterRef("pk"),
        inspection__status__in=[*ACTIVE_INSPECTION_STATUSES, InspectionStatus.PASSED],
    )
    return list(
        Branch.objects.filter(
            case=case, item__site_check_required=True, status__in=SCHEDULABLE_BRANCH_STATUSES
        )
        .exclude(Exists(covered))
        .select_related("item", "department")
        .order_by("department__order", "department__code", "id")
    )


@dataclass(frozen=True)
class DepartmentToInspect:
    department: Department
    branches: list[Branch]
    inspectors: list[User]


def schedule_plan(case: Case) -> list[DepartmentToInspect]:
    """The departments that must send an inspector, their items, and the inspectors they have."""
    groups: dict[int, list[Branch]] = {}
    departments: dict[int, Department] = {}
    for branch in schedulable_branches(case):
        groups.setdefault(branch.department_id, []).append(branch)
        departments[branch.department_id] = branch.department
    inspectors: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=Role.INSPECTOR, is_active=True, department_id__in=list(groups)
    ).order_by("display_name", "username"):
        assert user.department_id is not None
        inspectors.setdefault(user.department_id, []).append(user)
    return [
        DepartmentToInspect(departments[pk], branches, inspectors.get(pk, []))
        for pk, branches in groups.items()
    ]


def inspections_for(user: User) -> QuerySet[JointInspection]:
    """The inspections a member of staff sees: his department takes part in them or organises them.

    Served by inspections_department_idx and inspections_organiser_idx.
    """
    if user.role not in DEPARTMENT_ROLES or user.department_id is None:
        return JointInspection.objects.none()
    mine = Q(
        pk__in=InspectionAssignment.objects.filter(department_id=user.department_id).values("inspection_id")
    )
    if user.role in ORGANISER_ROLES:
        mine |= Q(organiser_department_id=user.department_id)
    return (
        JointInspection.objects.filter(mine)
        .select_related("case__bundle", "organiser_department", "organiser")
        .order_by("scheduled_at", "id")
    )


def cases_awaiting_inspection(user: User) -> QuerySet[Case]:
    """For an organiser: cases of bundles his department leads with site checks still to schedule."""
    if user.role not in ORGANISER_ROLES or user.department_id is None:
        return Case.objects.none()
    covered = InspectionAssignment.objects.filter(
        branch=OuterRef("pk"),
        inspection__status__in=[*ACTIVE_INSPECTION_STATUSES, InspectionStatus.PASSED],
    )
    open_site_check = Branch.objects.filter(
        case=OuterRef("pk"), item__site_check_required=True, status__in=SCHEDULABLE_BRANCH_STATUSES
    ).exclude(Exists(covered))
    running = JointInspection.objects.filter(case=OuterRef("pk"), status__in=ACTIVE_INSPECTION_STATUSES)
    return (
        Case.objects.filter(status=CaseStatus.IN_APPROVAL, bundle__lead_department_id=user.department_id)
        .filter(Exists(open_site_check))
        .exclude(Exists(running))
        .select_related("bundle")
        .order_by("accepted_at", "id")
    )


def may_schedule(user: User, case: Case) -> bool:
    return is_organiser_for(user, case.bundle.lead_department_id)


@dataclass(frozen=True)
class ItemSection:
    assignment: InspectionAssignment
    entries: list[ChecklistEntry]


@dataclass(frozen=True)
class DepartmentSection:
    """One department's part of the shared checklist in the current round."""

    department: Department
    inspector: User
    editable: bool
    items: list[ItemSection]

    @property
    def entries(self) -> list[ChecklistEntry]:
        return [entry for item in self.items for entry in item.entries]

    @property
    def recorded(self) -> int:
        return sum(1 for entry in self.entries if entry.result)

    @property
    def failed(self) -> int:
        return sum(1 for entry in self.entries if entry.result == ChecklistResult.FAIL)

    @property
    def total(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class ChecklistView:
    inspection: JointInspection
    sections: list[DepartmentSection]
    notices: list[RectificationNotice]
    reports: list[RectificationReport]
    organiser: bool
    idle: list[DepartmentSection] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sections)

    @property
    def recorded(self) -> int:
        return sum(s.recorded for s in self.sections)

    @property
    def remaining(self) -> int:
        return self.total - self.recorded

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.recorded == self.total

    @property
    def mine(self) -> list[DepartmentSection]:
        return [s for s in self.sections if s.editable]


def checklist_view(inspection: JointInspection, user: User) -> ChecklistView:
    """Every department's section of the current round; only the assigned inspector's is editable.

    A department with nothing to re-inspect in a later round is listed apart (`idle`).
    """
    entries = ChecklistEntry.objects.filter(round=inspection.round).select_related("previous", "recorded_by")
    assignments = list(
        inspection.assignments.select_related("department", "inspector", "branch__item")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=entries.prefetch_related(
                    Prefetch("photos", queryset=ChecklistPhoto.objects.order_by("id"))
                ).order_by("order"),
                to_attr="current_entries",
            )
        )
        .order_by("department__order", "department__code", "branch_id")
    )
    grouped: dict[int, list[InspectionAssignment]] = {}
    for assignment in assignments:
        grouped.setdefault(assignment.department_id, []).append(assignment)
    sections: list[DepartmentSection] = []
    idle: list[DepartmentSection] = []
    for group in grouped.values():
        first = group[0]
        items = [ItemSection(a, a.current_entries) for a in group if a.current_entries]  # type: ignore[attr-defined]
        editable = first.inspector_id == user.pk and inspection.status in (
            InspectionStatus.SCHEDULED,
            InspectionStatus.IN_PROGRESS,
        )
        section = DepartmentSection(first.department, first.inspector, editable, items)
        (sections if items else idle).append(section)
    # On a phone the inspector's own section comes first; the others follow in department order.
    sections.sort(key=lambda section: not section.editable)
    return ChecklistView(
        inspection=inspection,
        sections=sections,
        notices=list(inspection.notices.select_related("issued_by").order_by("round")),
        reports=list(
            inspection.reports.select_related("submitted_by").prefetch_related("evidence").order_by("round")
        ),
        organiser=is_organiser_for(user, inspection.organiser_department_id),
        idle=idle,
    )


def inspection_holds_clock(branch: Branch) -> bool:
    """True while a running joint inspection keeps this branch's clock stopped (it restarts it itself)."""
    return (
        branch.status == BranchStatus.PAUSED
        and branch.pauses.filter(ended_on__isnull=True, reason__in=INSPECTION_PAUSE_REASONS).exists()
        and InspectionAssignment.objects.filter(
            branch=branch, clock_paused=True, inspection__status__in=ACTIVE_INSPECTION_STATUSES
        ).exists()
    )


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    label: str


def inspection_timeline(inspection: JointInspection) -> list[TimelineRow]:
    """The inspection's steps from the case timeline, oldest first (single entries left out)."""
    actions = [action for action in INSPECTION_ACTIONS if action != "checklist_recorded"]
    events = CaseEvent.objects.filter(
        case_id=inspection.case_id, action__in=actions, data__inspection=inspection.pk
    ).order_by("seq")
    return [TimelineRow(event, action_label(event.action)) for event in events]


def latest_inspection(case: Case) -> JointInspection | None:
    """The case's running inspection, or the last one that ended."""
    inspections = JointInspection.objects.filter(case=case).select_related(
        "organiser_department", "case__bundle"
    )
    running = inspections.filter(status__in=ACTIVE_INSPECTION_STATUSES).first()
    return running or inspections.order_by("-created_at", "-id").first()


def current_notice(inspection: JointInspection) -> RectificationNotice | None:
    """The notice of the current round, if this round's visit ended with findings."""
    return inspection.notices.filter(round=inspection.round).first()


def notice_for(inspection: JointInspection, round_: int) -> RectificationNotice | None:
    return inspection.notices.select_related("issued_by").filter(round=round_).first()


def findings_by_department(notice: RectificationNotice) -> list[tuple[str, list[dict[str, str]]]]:
    """The notice's findings grouped by department, in the order they were issued."""
    groups: dict[str, list[dict[str, str]]] = {}
    for finding in notice.findings:
        groups.setdefault(finding["department_name"], []).append(finding)
    return list(groups.items())


def inspections_joined(
    *, case_id: int, department_id: int | None = None, branch_id: int | None = None
) -> set[int]:
    """The ids of the case's joint inspections a department (or one of its branches) takes part in."""
    if department_id is None and branch_id is None:
        return set()
    assignments = InspectionAssignment.objects.filter(inspection__case_id=case_id)
    if department_id is not None:
        assignments = assignments.filter(department_id=department_id)
    if branch_id is not None:
        assignments = assignments.filter(branch_id=branch_id)
    return set(assignments.values_list("inspection_id", flat=True))


# ---------------------------------------------------------------- 事后核查 (checks of commitments)

CHECK_ACTIONS = ("commitment_check_confirmed", "commitment_check_rectify", "commitment_check_revoke")
CLOSED_CHECKS_SHOWN = 50


@dataclass(frozen=True)
class CheckRow:
    check: CommitmentCheck
    next_on: date | None  # the next visit's date: the check's deadline or the end of the rectification
    state: str  # "overdue", "due_soon" or ""


def commitment_checks_for(
    user: User, today: date, soon_workdays: int
) -> tuple[list[CheckRow], list[CommitmentCheck]]:
    """The open checks of the user's department, the most urgent first, and its latest closed ones."""
    if user.role not in DEPARTMENT_ROLES or user.department_id is None:
        return [], []
    checks = CommitmentCheck.objects.filter(department_id=user.department_id).select_related(
        "case", "branch__item", "checked_by"
    )
    calendar = current_calendar()
    rows = [
        check_row(check, today, soon_workdays, calendar)
        for check in checks.filter(status__in=OPEN_CHECK_STATUSES)
    ]
    rows.sort(key=lambda row: (row.next_on or today, row.check.pk))
    closed = list(
        checks.exclude(status__in=OPEN_CHECK_STATUSES).order_by("-checked_at", "-id")[:CLOSED_CHECKS_SHOWN]
    )
    return rows, closed


def check_row(check: CommitmentCheck, today: date, soon_workdays: int, calendar: WorkdayCalendar) -> CheckRow:
    """An open check with the date of the next visit and how urgent it is; a closed one with neither."""
    if not check.is_open:
        return CheckRow(check, None, "")
    next_on = (
        check.rectify_by
        if check.status == CommitmentCheckStatus.RECTIFYING and check.rectify_by
        else check.due_on
    )
    return CheckRow(check, next_on, _urgency(next_on, today, soon_workdays, calendar))


def _urgency(day: date, today: date, soon_workdays: int, calendar: WorkdayCalendar) -> str:
    """As the department queue flags its branches; none for a date in a year the calendar may not
    count (WORKDAYS_FALLBACK=error), so one such check never fails the list."""
    try:
        return date_urgency(day, today, soon_workdays, calendar)
    except CaseError:
        return ""


def commitment_check_timeline(check: CommitmentCheck) -> list[TimelineRow]:
    """The approval that scheduled the check and every result recorded on it, oldest first."""
    events = CaseEvent.objects.filter(
        case_id=check.case_id,
        action__in=("branch_approved", *CHECK_ACTIONS),
        data__item=check.branch.item.code,
    ).order_by("seq")
    return [TimelineRow(event, action_label(event.action)) for event in events]


def commitment_clauses(check: CommitmentCheck) -> list[str]:
    """What the applicant promised for this item, as the letter he signed worded it."""
    item_name = check.branch.item.name
    return [c["text"] for c in check.case.plan.get("commitment", []) if c.get("item") == item_name]
