"""The approver presses 批准 and 不批准 at once (two tabs): exactly one decision stands, and deciding
locks only the case, the branch and the request."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import accepted_hotel_case, rows_locked_while, seed_again
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus, Extension, ExtensionStatus
from onewindow.approvals.services import (
    _claim_extension,
    branch_approve,
    extension_approve,
    extension_decline,
    extension_request,
)
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, race
from onewindow.cases.models import Case, CaseEvent
from onewindow.catalog.models import ServiceItem

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 测试库")


def requested_extension() -> Extension:
    """The police branch of a fresh hotel case, with 2 working days asked of the demo supervisor."""
    seed_again()
    case = accepted_hotel_case(User.objects.get(username="applicant"))
    branch_approve(
        branch_id=branch_of(case, FIRE).pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        permit_number="XF-1",
        valid_until=None,
    )
    police = branch_of(case, POLICE)
    assert police.status == BranchStatus.PENDING
    return extension_request(
        branch_id=police.pk,
        reviewer=User.objects.get(username="reviewer"),
        approver=User.objects.get(username="supervisor"),
        days=2,
        reason="需要专家论证",
    )


@pytest.mark.django_db(transaction=True)
def test_approve_and_decline_at_once_one_wins() -> None:
    extension = requested_extension()
    supervisor = extension.approver

    outcomes = race(
        {
            "approve": lambda: extension_approve(extension_id=extension.pk, approver=supervisor),
            "decline": lambda: extension_decline(
                extension_id=extension.pk, approver=supervisor, reason="不需要"
            ),
        }
    )

    assert sorted(map(str, outcomes.values())) == ["extension_decided", "won"], outcomes
    extension.refresh_from_db()
    branch = extension.branch
    if outcomes["approve"] == "won":
        assert extension.status == ExtensionStatus.APPROVED
        assert branch.extension_days == 2
    else:
        assert extension.status == ExtensionStatus.DECLINED
        assert branch.extension_days == 0
    decided = CaseEvent.objects.filter(
        case_id=branch.case_id, action__in=["branch_extended", "branch_extension_declined"]
    )
    assert decided.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deciding_locks_only_the_case_the_branch_and_the_request() -> None:
    extension = requested_extension()
    branch = extension.branch
    other = Branch.objects.exclude(pk=branch.pk).filter(case_id=branch.case_id).first()
    assert other is not None

    blocked = rows_locked_while(
        lambda: _claim_extension(extension.pk, extension.approver),
        {
            "approver": User.objects.filter(pk=extension.approver_id),
            "requester": User.objects.filter(pk=extension.requested_by_id),
            "item": ServiceItem.objects.filter(pk=branch.item_id),
            "case": Case.objects.filter(pk=branch.case_id),
            # order_by(): Branch's default ordering would join, and so probe, the case row too.
            "branch": Branch.objects.filter(pk=branch.pk).order_by(),
            "other branch": Branch.objects.filter(pk=other.pk).order_by(),
            "request": Extension.objects.filter(pk=extension.pk),
        },
    )

    assert blocked == ["case", "branch", "request"]
