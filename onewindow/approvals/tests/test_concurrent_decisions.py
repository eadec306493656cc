"""Two reviewers of one department decide the same branch at once: exactly one decision stands."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import accepted_hotel_case, rows_locked_while, seed_again
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_approve, branch_deny
from onewindow.approvals.tests.conftest import (
    FIRE,
    branch_of,
    race,
    second_fire_reviewer,
)
from onewindow.cases.errors import CaseConflict
from onewindow.cases.models import Case, CaseEvent


def fire_branch_and_reviewers() -> tuple[Branch, User, User]:
    """The fire-safety branch of a freshly accepted hotel case, and two reviewers of 消防."""
    seed_again()
    case = accepted_hotel_case(User.objects.get(username="applicant"))
    first = User.objects.get(username="reviewer_fire")
    return branch_of(case, FIRE), first, second_fire_reviewer(first)


def test_a_decision_on_a_stale_version_is_a_conflict(case: Case, fire: User, fire2: User) -> None:
    branch = branch_of(case, FIRE)
    seen = branch.version  # both reviewers opened the page at this version

    branch_approve(
        branch_id=branch.pk, reviewer=fire, permit_number="XF-A", valid_until=None, expected_version=seen
    )
    with pytest.raises(CaseConflict) as lost:
        branch_deny(
            branch_id=branch.pk,
            reviewer=fire2,
            reason="不符合",
            legal_basis="《消防法》第十五条",
            expected_version=seen,
        )
    assert lost.value.code == "branch_changed"
    assert lost.value.status == 409

    branch.refresh_from_db()
    assert branch.status == BranchStatus.APPROVED
    assert branch.permit_number == "XF-A"
    assert branch.decided_by == fire
    decisions = CaseEvent.objects.filter(case=branch.case, action__in=["branch_approved", "branch_denied"])
    assert decisions.count() == 1


def _supports_concurrent_writers() -> bool:
    # Django's in-memory SQLite test database shares one cache between threads with table locks:
    # a second writer fails at once with "database table is locked" instead of waiting, so the race
    # cannot be staged there. PostgreSQL, or SQLite on a file (TEST NAME set), serialise writers.
    return connection.vendor == "postgresql" or not connection.is_in_memory_db()  # type: ignore[attr-defined]


@pytest.mark.skipif("not _supports_concurrent_writers()", reason="需要 PostgreSQL 或文件型 SQLite 测试库")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins() -> None:
    branch, first, second = fire_branch_and_reviewers()
    seen = branch.version

    outcomes = race(
        {
            "approve": lambda: branch_approve(
                branch_id=branch.pk,
                reviewer=first,
                permit_number="XF-RACE",
                valid_until=None,
                expected_version=seen,
            ),
            "deny": lambda: branch_deny(
                branch_id=branch.pk,
                reviewer=second,
                reason="安全出口不足",
                legal_basis="《消防法》第十五条",
                expected_version=seen,
            ),
        }
    )

    assert sorted(map(str, outcomes.values())) == ["branch_changed", "won"], outcomes
    branch.refresh_from_db()
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    assert branch.status == (BranchStatus.APPROVED if winner == "approve" else BranchStatus.DENIED)
    assert branch.version == seen + 1
    decisions = CaseEvent.objects.filter(case=branch.case, action__in=["branch_approved", "branch_denied"])
    assert decisions.count() == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="行锁范围只在 PostgreSQL 上可观察")
@pytest.mark.django_db(transaction=True)
def test_a_decision_in_progress_locks_only_its_case_and_branch() -> None:
    """Shared rows (bundle, department, item, applicant) stay free: other cases are never held up by it."""
    from onewindow.approvals.services import _claim
    from onewindow.bundles.models import Bundle
    from onewindow.catalog.models import Department, ServiceItem

    branch, first, _second = fire_branch_and_reviewers()
    case = branch.case

    blocked = rows_locked_while(
        lambda: _claim(branch.pk, first, branch.version),
        {
            "bundle": Bundle.objects.filter(pk=case.bundle_id),
            "department": Department.objects.filter(pk=branch.department_id),
            "item": ServiceItem.objects.filter(pk=branch.item_id),
            "applicant": User.objects.filter(pk=case.applicant_id),
            "case": Case.objects.filter(pk=case.pk),
            # order_by(): Branch's default ordering would join, and so probe, the case row too.
            "branch": Branch.objects.filter(pk=branch.pk).order_by(),
        },
    )

    assert blocked == ["case", "branch"]
