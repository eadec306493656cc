"""Four departments decide a hotel case: the waiting branch opens, the last decision completes the case."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import accepted_hotel_case, rows_locked_while, seed_again
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import _claim, branch_approve, branch_deny
from onewindow.approvals.tests.conftest import FIRE, POLICE
from onewindow.cases.errors import CaseConflict, CaseNotFound
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import audit_verify
from onewindow.notifications.models import Notification


def reviewer_of(branch: Branch) -> User:
    user, _created = User.objects.get_or_create(
        username=f"r-{branch.department.code}",
        defaults={"role": Role.REVIEWER, "department": branch.department},
    )
    return user


def approve(branch: Branch) -> Branch:
    return branch_approve(
        branch_id=branch.pk,
        reviewer=reviewer_of(branch),
        permit_number="",
        valid_until=timezone.localdate() + timedelta(days=365),
        expected_version=branch.version,
    )


def branches_of(case: Case) -> dict[str, Branch]:
    return {b.department.code: b for b in case.branches.select_related("department", "item")}


def statements_on(queries: CaptureQueriesContext, verb: str, table: str) -> int:
    """How many of the captured statements read (verb "SELECT" ... FROM) or write (verb "UPDATE") table."""
    pattern = re.compile(rf'^{verb} .*?\bFROM "(\w+)"' if verb == "SELECT" else rf'^{verb} "(\w+)"')
    found = (pattern.match(q["sql"]) for q in queries.captured_queries)
    return sum(1 for match in found if match and match.group(1) == table)


def test_the_fire_opinion_opens_the_waiting_branch_with_its_due_date(case: Case) -> None:
    branches = branches_of(case)
    waiting = branches[POLICE]
    assert waiting.status == BranchStatus.WAITING and waiting.due_on is None
    seen = waiting.version  # as the police reviewer's page shows it while the branch waits

    decided = approve(branches[FIRE])

    assert decided.version == branches[FIRE].version + 1, "the page showing the old version is stale"
    waiting.refresh_from_db()
    assert waiting.status == BranchStatus.PENDING
    assert waiting.opened_on == timezone.localdate()
    assert waiting.due_on is not None and waiting.due_on > waiting.opened_on
    assert waiting.version == seen + 1
    released = case.events.get(action="branch_released")
    assert released.data == {"item": waiting.item.code, "prerequisite": branches[FIRE].item.code}
    with pytest.raises(CaseConflict) as stale:
        branch_approve(
            branch_id=waiting.pk,
            reviewer=reviewer_of(waiting),
            permit_number="",
            valid_until=None,
            expected_version=seen,
        )
    assert stale.value.code == "branch_changed", "the page seen while it waited must be reloaded"
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_APPROVAL


def test_the_last_approval_completes_the_case(case: Case) -> None:
    branches = branches_of(case)
    approve(branches[FIRE])
    others = [b for code, b in branches.items() if code != FIRE]
    for branch in others[:-1]:
        branch.refresh_from_db()
        approve(branch)
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_APPROVAL

    last = others[-1]
    last.refresh_from_db()
    decided = approve(last)

    assert decided.case.status == CaseStatus.APPROVED, "the answer shows the completed case"
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert case.completed_at is not None
    completed = case.events.get(action="approval_completed")
    assert (completed.before, completed.after, completed.data) == (
        CaseStatus.IN_APPROVAL,
        CaseStatus.APPROVED,
        {"denied": []},
    )
    assert Notification.objects.filter(case=case, title="审批完成").count() == 1
    assert audit_verify([case.pk]) == (1, [])


def test_one_denial_makes_the_completed_case_denied_with_its_reason(case: Case) -> None:
    branches = branches_of(case)
    hygiene = next(b for b in branches.values() if b.item.code == "public_place_hygiene_licence")
    branch_deny(
        branch_id=hygiene.pk,
        reviewer=reviewer_of(hygiene),
        reason="客房通风不符合卫生规范",
        legal_basis="《公共场所卫生管理条例》第七条",
    )
    approve(branches[FIRE])
    for code in [c for c in branches if c not in (FIRE, hygiene.department.code)]:
        branch = Branch.objects.select_related("department").get(pk=branches[code].pk)
        approve(branch)

    case.refresh_from_db()
    assert case.status == CaseStatus.DENIED
    assert case.outcome_note == f"{hygiene.item.name}：客房通风不符合卫生规范"
    completed = case.events.get(action="approval_completed")
    assert completed.after == CaseStatus.DENIED
    assert completed.data == {"denied": [hygiene.item.code]}
    notice = Notification.objects.get(case=case, title="审批完成")
    assert "其中 1 项不予许可" in notice.body
    assert audit_verify([case.pk]) == (1, [])


def test_a_decision_reads_the_case_and_its_branches_once(case: Case) -> None:
    branches = branches_of(case)

    with CaptureQueriesContext(connection) as releasing:
        approve(branches[FIRE])
    police_branch = Branch.objects.select_related("department").get(pk=branches[POLICE].pk)
    with CaptureQueriesContext(connection) as plain:
        approve(police_branch)

    for queries, branch_writes in ((releasing, 2), (plain, 1)):
        assert statements_on(queries, "SELECT", "cases_case") == 1, "the case is read once, under its lock"
        assert statements_on(queries, "SELECT", "approvals_branch") == 1, "its branches are read once"
        assert statements_on(queries, "UPDATE", "approvals_branch") == branch_writes, "one per changed branch"
    assert statements_on(releasing, "SELECT", "approvals_branch_prerequisites") == 1
    assert statements_on(plain, "SELECT", "approvals_branch_prerequisites") == 0, "nothing waits any more"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="行锁范围只在 PostgreSQL 上可观察")
@pytest.mark.django_db(transaction=True)
def test_another_departments_reviewer_locks_nothing() -> None:
    seed_again()
    case = accepted_hotel_case(User.objects.get(username="applicant"))
    fire_branch = branches_of(case)[FIRE]
    police = User.objects.get(username="reviewer")
    refused: list[str] = []

    def attempt() -> None:
        try:
            _claim(fire_branch.pk, police, None)
        except CaseNotFound as exc:
            refused.append(exc.code)

    blocked = rows_locked_while(
        attempt,
        {
            "case": Case.objects.filter(pk=case.pk),
            # order_by(): Branch's default ordering would join, and so probe, the case row too.
            "branch": Branch.objects.filter(pk=fire_branch.pk).order_by(),
        },
    )

    assert refused == ["branch_not_found"]
    assert blocked == []
