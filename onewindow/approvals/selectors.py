"""Reads of branches: a department's queue by urgency, one branch with what its reviewer needs, and the
extension requests waiting for their approvers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import (
    APPLICANT_PAUSE_REASONS,
    DECIDED_BRANCH_STATUSES,
    OPEN_BRANCH_STATUSES,
    Branch,
    BranchStatus,
    ClockPause,
    Extension,
    ExtensionStatus,
    RectificationReply,
    RectificationReplyFile,
)
from onewindow.cases.errors import CaseNotFound
from onewindow.cases.forms import form_value_shown
from onewindow.cases.permissions import materials_used_by

# What a queue row shows (approvals.api.branch_row, approvals/queue.html): the case's plan snapshot,
# form and answers (JSON, some 20 KB a case, parsed row by row) are not among them.
QUEUE_ROW_FIELDS = (
    "version",
    "case",
    "item",
    "status",
    "opened_on",
    "due_on",
    "calendar_warning",
    "permit_number",
    "case__number",
    "case__holder_name",
    "item__code",
    "item__name",
)
# Past this many decided branches a count shows "1000+": decisions only accumulate, and counting all
# of them would read years of a department's work on every view of the queue.
DECIDED_COUNT_CAP = 1000


def reviewer_queue(
    reviewer: User,
    *,
    status: str = "",
    bundle: str = "",
    query: str = "",
) -> QuerySet[Branch]:
    """The reviewer's department's branches: open ones most urgent (earliest due) first, decided ones
    (status "decided") newest first.

    Read in the order of approvals_open_queue_idx and approvals_decided_idx, so that a page stops
    after its rows instead of sorting the department's whole set.
    """
    if reviewer.department_id is None:
        return Branch.objects.none()
    branches = Branch.objects.filter(department_id=reviewer.department_id)
    if status == "decided":
        branches = branches.filter(status__in=DECIDED_BRANCH_STATUSES)
        order: tuple[Any, ...] = ("-decided_at", "-id")
    else:
        branches = (
            branches.filter(status=status) if status else branches.filter(status__in=OPEN_BRANCH_STATUSES)
        )
        order = (F("due_on").asc(nulls_last=True), "id")
    if bundle:
        branches = branches.filter(case__bundle__code=bundle)
    if query:
        branches = branches.filter(
            Q(case__number__startswith=query.strip()) | Q(case__holder_name__contains=query.strip())
        )
    return branches.select_related("case", "item").only(*QUEUE_ROW_FIELDS).order_by(*order)


def capped_count(branches: QuerySet[Branch], cap: int = DECIDED_COUNT_CAP) -> int:
    """How many branches, counting no further than cap + 1 (more than cap: show "cap+")."""
    return branches.order_by().values("pk")[: cap + 1].count()


@dataclass(frozen=True)
class DecidedPage:
    """One page of the decided tab, newest first, with the cursors of the pages around it."""

    rows: list[Branch]
    newer: int | None  # ?after= this branch: the page of newer decisions, if there is one
    older: int | None  # ?before= this branch: the page of older decisions, if there is one


def decided_page(
    branches: QuerySet[Branch], *, size: int, before: int | None = None, after: int | None = None
) -> DecidedPage:
    """The `size` decisions of `branches` (reviewer_queue(status="decided")) just older than branch
    `before` or just newer than branch `after`; the newest without either.

    By keyset on (decided_at, id) rather than OFFSET: a page years back reads no more rows than the
    first. The redundant decided_at__lte / __gte is what PostgreSQL can start its scan of
    approvals_decided_idx from; it cannot from the OR alone. Every decided branch has decided_at
    (approvals.services sets both at once). A cursor that is not one of `branches` gives the newest
    page.
    """
    cursor = before or after
    at = branches.filter(pk=cursor).values_list("decided_at", flat=True).first() if cursor else None
    if at is not None and before:
        older = branches.filter(Q(decided_at__lt=at) | Q(decided_at=at, pk__lt=before), decided_at__lte=at)
        rows = list(older[: size + 1])
        page = rows[:size]
        if page:
            return DecidedPage(page, page[0].pk, page[-1].pk if len(rows) > size else None)
    elif at is not None and after:
        newer = branches.filter(Q(decided_at__gt=at) | Q(decided_at=at, pk__gt=after), decided_at__gte=at)
        rows = list(newer.reverse()[: size + 1])
        page = rows[:size][::-1]
        if page:
            return DecidedPage(page, page[0].pk if len(rows) > size else None, page[-1].pk)
    rows = list(branches[: size + 1])
    return DecidedPage(rows[:size], None, rows[size - 1].pk if len(rows) > size else None)


def get_branch_for(user: User, branch_id: int) -> Branch:
    """A branch of the user's own department, or 404: no department sees another's branch."""
    if user.department_id is None:
        raise CaseNotFound("branch_not_found", _("没有找到这个子件。"))
    branch = (
        Branch.objects.select_related("case__bundle", "case__applicant", "item", "department")
        .filter(pk=branch_id, department_id=user.department_id)
        .first()
    )
    if branch is None:
        raise CaseNotFound("branch_not_found", _("没有找到这个子件。"))
    return branch


@dataclass(frozen=True)
class BranchView:
    branch: Branch
    fields: list[dict[str, Any]]
    materials: list[Any]
    others: list[Branch]
    prerequisites: list[Branch]


def branch_view(branch: Branch) -> BranchView:
    """The merged-form fields and materials this branch's item uses, and the other departments' results."""
    case = branch.case
    code = branch.item.code
    fields = [
        {**spec, "value": form_value_shown(spec.get("type"), case.form_data.get(spec["code"], ""))}
        for spec in case.plan["form"]
        if code in spec["items"]
    ]
    wanted = materials_used_by(case, [code])
    materials = list(case.materials.filter(material__code__in=wanted).select_related("material"))
    others = list(case.branches.exclude(pk=branch.pk).select_related("item", "department", "decided_by"))
    prerequisites = list(branch.prerequisites.select_related("item", "department"))
    return BranchView(branch, fields, materials, others, prerequisites)


def queue_counts(reviewer: User) -> dict[str, int]:
    """Branches per queue tab: each open status exactly, "decided" up to DECIDED_COUNT_CAP + 1.

    The open ones, a department's work in hand, are counted from approvals_open_queue_idx alone; the
    decided ones from at most cap + 1 entries of approvals_decided_idx.
    """
    if reviewer.department_id is None:
        return {}
    # order_by(): Branch's Meta.ordering would join cases_case into the GROUP BY.
    own = Branch.objects.filter(department_id=reviewer.department_id).order_by()
    rows = own.filter(status__in=OPEN_BRANCH_STATUSES).values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in OPEN_BRANCH_STATUSES} | {row["status"]: row["n"] for row in rows}
    counts["decided"] = capped_count(own.filter(status__in=DECIDED_BRANCH_STATUSES))
    return counts


def overdue_branches(today: date) -> QuerySet[Branch]:
    return Branch.objects.filter(status=BranchStatus.PENDING, due_on__lt=today).select_related(
        "case", "item", "department"
    )


@dataclass(frozen=True)
class PauseRequest:
    """What the department asked when it paused a branch's clock, and what the applicant answered."""

    branch: Branch
    pause: ClockPause
    note: str
    replies: list[RectificationReply]

    @property
    def answerable(self) -> bool:
        """The department waits for the applicant (整改、补正), not for a site check or an expert."""
        return self.pause.reason in APPLICANT_PAUSE_REASONS


def pause_request(branch: Branch) -> PauseRequest | None:
    """The reviewer's request in force on a paused branch; None while the clock runs or a joint
    inspection holds it (the applicant answers an inspection on its own rectification page).
    """
    from onewindow.inspections.selectors import inspection_holds_clock

    if branch.status != BranchStatus.PAUSED:
        return None
    pause = branch.pauses.filter(ended_on__isnull=True).first()
    if pause is None or inspection_holds_clock(branch):
        return None
    replies = list(pause.replies.prefetch_related("files").order_by("submitted_at", "id"))
    return PauseRequest(branch, pause, branch.rectification_note, replies)


def branch_replies(branch: Branch) -> list[RectificationReply]:
    """Every answer the applicant gave on this branch, newest first, with its files and its pause."""
    return list(
        RectificationReply.objects.filter(pause__branch=branch)
        .select_related("pause", "submitted_by")
        .prefetch_related("files")
        .order_by("-submitted_at", "-id")
    )


def get_reply_file_for(user: User, file_id: int) -> RectificationReplyFile:
    """A reply's file for the case's applicant or a reviewer of the branch's department; else 404."""
    row = (
        RectificationReplyFile.objects.select_related("reply__pause__branch__case").filter(pk=file_id).first()
    )
    if row is not None:
        branch = row.reply.pause.branch
        reviewer = user.role == Role.REVIEWER and user.department_id == branch.department_id
        if reviewer or branch.case.applicant_id == user.pk:
            return row
    raise CaseNotFound("file_not_found", _("没有找到这个文件。"))


# Who may be named to approve an extension (and so reads the extension requests page).
EXTENSION_APPROVER_ROLES = (Role.SUPERVISOR, Role.REVIEWER)


def extension_approvers(branch: Branch, requester: User) -> QuerySet[User]:
    """Who may approve an extension of `branch`: an active supervisor, or another active reviewer of
    the branch's department; never the requester himself."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.SUPERVISOR) | Q(role=Role.REVIEWER, department_id=branch.department_id))
        .exclude(pk=requester.pk)
        .order_by("role", "display_name", "username")
    )


def approver_on_duty(extension: Extension, branch: Branch) -> bool:
    """Whether the request's named approver may still decide it: he is still among the branch's
    extension_approvers for the reviewer who asked."""
    return extension_approvers(branch, extension.requested_by).filter(pk=extension.approver_id).exists()


def get_requested_extension_for(reviewer: User, extension_id: int) -> Extension:
    """An extension request this reviewer made on a branch of his department, or 404."""
    extension = None
    if reviewer.department_id is not None:
        extension = (
            Extension.objects.select_related("approver")
            .filter(pk=extension_id, requested_by=reviewer, branch__department_id=reviewer.department_id)
            .first()
        )
    if extension is None:
        raise CaseNotFound("extension_not_found", _("没有找到这份延期申请，或它不是您提出的。"))
    return extension


def branch_extensions(branch: Branch) -> list[Extension]:
    """A branch's extension requests, oldest first, with who asked and who decides."""
    return list(
        branch.extensions.select_related("requested_by", "approver", "approved_by").order_by(
            "requested_at", "id"
        )
    )


def decidable_branches(approver: User, path: str = "branch") -> Q:
    """The branches (reached from the queried model by `path`) whose extension requests named to
    `approver` he may still decide: as a supervisor any, as a reviewer his own department's only;
    one who moved to another department decides his old one's no more (extension_approvers)."""
    if approver.role == Role.SUPERVISOR:
        return Q()
    if approver.role == Role.REVIEWER and approver.department_id is not None:
        return Q(**{f"{path}__department_id": approver.department_id})
    return Q(pk__in=[])


def extension_inbox(approver: User) -> list[Extension]:
    """The extension requests waiting for this approver, oldest first (approvals_extension_inbox_idx).

    A request whose branch was decided meanwhile is left out: there is no deadline left to extend.
    So is one he may no longer decide (decidable_branches): the requester asks someone else.
    """
    return list(
        Extension.objects.filter(
            decidable_branches(approver),
            approver=approver,
            status=ExtensionStatus.PENDING,
            branch__status__in=OPEN_BRANCH_STATUSES,
        )
        .select_related("branch__case", "branch__item", "branch__department", "requested_by")
        .order_by("requested_at", "id")
    )


def get_extension_for(approver: User, extension_id: int) -> Extension:
    """An extension request named to this approver that he may decide, or 404: no one else learns
    that it exists."""
    extension = Extension.objects.filter(
        decidable_branches(approver), pk=extension_id, approver=approver
    ).first()
    if extension is None:
        raise CaseNotFound("extension_not_found", _("没有找到这份延期申请，或它不由您审批。"))
    return extension
