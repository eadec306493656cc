"""Reads of branches: a department's queue by urgency, and one branch with what its reviewer needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet

from onewindow.accounts.models import User
from onewindow.approvals.models import DECIDED_BRANCH_STATUSES, OPEN_BRANCH_STATUSES, Branch, BranchStatus
from onewindow.cases.errors import CaseNotFound


def reviewer_queue(
    reviewer: User,
    *,
    status: str = "",
    bundle: str = "",
    query: str = "",
) -> QuerySet[Branch]:
    """The reviewer's department's branches, most urgent (earliest due) first.

    Served by approvals_queue_idx (department, status, due_on).
    """
    if reviewer.department_id is None:
        return Branch.objects.none()
    branches = Branch.objects.filter(department_id=reviewer.department_id)
    if status == "decided":
        branches = branches.filter(status__in=DECIDED_BRANCH_STATUSES)
        if bundle:
            branches = branches.filter(case__bundle__code=bundle)
        if query:
            branches = branches.filter(
                Q(case__number__startswith=query.strip()) | Q(case__holder_name__contains=query.strip())
            )
        return branches.select_related("case", "item").order_by("-decided_at", "-id")
    if status:
        branches = branches.filter(status=status)
    else:
        branches = branches.filter(status__in=OPEN_BRANCH_STATUSES)
    if bundle:
        branches = branches.filter(case__bundle__code=bundle)
    if query:
        branches = branches.filter(
            Q(case__number__startswith=query.strip()) | Q(case__holder_name__contains=query.strip())
        )
    return branches.select_related("case", "item").order_by(F("due_on").asc(nulls_last=True), "id")


def get_branch_for(user: User, branch_id: int) -> Branch:
    """A branch of the user's own department, or 404: no department sees another's branch."""
    if user.department_id is None:
        raise CaseNotFound("branch_not_found", "没有找到这个子件。")
    branch = (
        Branch.objects.select_related("case__bundle", "case__applicant", "item", "department")
        .filter(pk=branch_id, department_id=user.department_id)
        .first()
    )
    if branch is None:
        raise CaseNotFound("branch_not_found", "没有找到这个子件。")
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
        {**spec, "value": case.form_data.get(spec["code"], "")}
        for spec in case.plan["form"]
        if code in spec["items"]
    ]
    wanted = [m["code"] for m in case.plan["materials"] if code in m["items"]]
    materials = list(case.materials.filter(material__code__in=wanted).select_related("material"))
    others = list(case.branches.exclude(pk=branch.pk).select_related("item", "department", "decided_by"))
    prerequisites = list(branch.prerequisites.select_related("item", "department"))
    return BranchView(branch, fields, materials, others, prerequisites)


def branch_status_counts(reviewer: User) -> dict[str, int]:
    from django.db.models import Count

    if reviewer.department_id is None:
        return {}
    rows = (
        Branch.objects.filter(department_id=reviewer.department_id).values("status").annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def overdue_branches(today: date) -> QuerySet[Branch]:
    return Branch.objects.filter(status=BranchStatus.PENDING, due_on__lt=today).select_related(
        "case", "item", "department"
    )
