"""撤回延期申请, and a request nobody can decide any more: neither keeps a branch from being extended.

The cast: 王强 (police reviewer) asks for an extension of the special-trade branch; 李四, a second
police reviewer, is named to approve and then leaves (his account is stopped) or moves to another
department; 郑华 (supervisor) is the approver named next.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus, Extension, ExtensionStatus
from onewindow.approvals.services import branch_approve, extension_request, extension_withdraw
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, signed_in, text
from onewindow.cases.errors import CaseConflict, CaseNotFound
from onewindow.cases.models import Case, CaseEvent
from onewindow.catalog.models import Department
from onewindow.notifications.models import Notification

pytestmark = pytest.mark.django_db

REASON = "需要专家论证"


@pytest.fixture
def branch(case: Case, fire: User) -> Branch:
    """The police branch of alice's hotel case, open now that 消防 has approved."""
    branch_approve(branch_id=branch_of(case, FIRE).pk, reviewer=fire, permit_number="", valid_until=None)
    opened = branch_of(case, POLICE)
    assert opened.status == BranchStatus.PENDING
    return opened


@pytest.fixture
def colleague(police: User) -> User:
    """李四, a second reviewer of 公安."""
    return User.objects.create_user(
        username="police2", role=Role.REVIEWER, department=police.department, display_name="李四"
    )


@pytest.fixture
def supervisor() -> User:
    return User.objects.get(username="supervisor")


def ask(branch: Branch, police: User, approver: User) -> Extension:
    return extension_request(branch_id=branch.pk, reviewer=police, approver=approver, days=2, reason=REASON)


# ---------------------------------------------------------------- withdrawing


def test_the_requester_withdraws_on_the_branch_page_and_may_ask_again(
    branch: Branch, police: User, colleague: User, supervisor: User
) -> None:
    extension = ask(branch, police, colleague)
    client = signed_in(police)
    page = text(client.get(reverse("approvals:branch", args=[branch.pk])))
    assert "撤回延期申请" in page
    assert 'name="extend-version"' not in page

    response = client.post(reverse("approvals:extension_withdraw", args=[extension.pk]), follow=True)

    page = text(response)
    assert "已撤回延期申请，到期日不变" in page
    assert 'name="extend-version"' in page, "a new request can be made"
    assert "撤回延期申请" in page and "审批人 李四" in page, "the withdrawal is on the timeline"
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.WITHDRAWN and extension.withdrawn_at is not None
    told = Notification.objects.filter(user=colleague).order_by("-id").first()
    assert told is not None and told.title == "延期申请已撤回"
    assert ask(branch, police, supervisor).status == ExtensionStatus.PENDING


def test_the_approver_can_no_longer_decide_a_withdrawn_request(
    branch: Branch, police: User, colleague: User
) -> None:
    extension = ask(branch, police, colleague)
    extension_withdraw(extension_id=extension.pk, reviewer=police)

    inbox = text(signed_in(colleague).get(reverse("approvals:extensions")))
    response = signed_in(colleague).post(
        reverse("approvals:extension_decide", args=[extension.pk]),
        {f"x{extension.pk}-decision": "approve", f"x{extension.pk}-comment": ""},
    )

    assert REASON not in inbox
    assert response.status_code == 409
    branch.refresh_from_db()
    assert branch.extension_days == 0


def test_only_the_requester_may_withdraw(branch: Branch, police: User, colleague: User, fire: User) -> None:
    extension = ask(branch, police, colleague)

    with pytest.raises(CaseNotFound):
        extension_withdraw(extension_id=extension.pk, reviewer=colleague)
    assert (
        signed_in(fire).post(reverse("approvals:extension_withdraw", args=[extension.pk])).status_code == 404
    )
    page = text(signed_in(colleague).get(reverse("approvals:branch", args=[branch.pk])))
    assert "撤回延期申请" not in page
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


def test_a_decided_request_cannot_be_withdrawn(branch: Branch, police: User, supervisor: User) -> None:
    from onewindow.approvals.services import extension_approve

    extension = ask(branch, police, supervisor)
    extension_approve(extension_id=extension.pk, approver=supervisor)

    with pytest.raises(CaseConflict) as refused:
        extension_withdraw(extension_id=extension.pk, reviewer=police)
    assert refused.value.code == "extension_decided"
    assert "已批准，不能撤回" in refused.value.message


def test_the_api_withdraws(branch: Branch, police: User, colleague: User) -> None:
    extension = ask(branch, police, colleague)

    response = signed_in(police).post(f"/api/v1/review/extension-requests/{extension.pk}/withdraw")
    again = signed_in(police).post(f"/api/v1/review/extension-requests/{extension.pk}/withdraw")

    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == "withdrawn" and response.json()["withdrawn_at"]
    assert again.status_code == 409 and again.json()["code"] == "extension_decided"


# ---------------------------------------------------------------- an approver no longer on duty


def test_a_request_to_an_approver_who_left_gives_way_to_a_new_one(
    branch: Branch, police: User, colleague: User, supervisor: User
) -> None:
    stale = ask(branch, police, colleague)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    page = text(signed_in(police).get(reverse("approvals:branch", args=[branch.pk])))
    assert "李四已不在岗，无法审批这份申请" in page
    assert 'name="extend-version"' in page

    fresh = ask(branch, police, supervisor)

    stale.refresh_from_db()
    assert stale.status == ExtensionStatus.VOIDED and "李四已不在岗" in stale.decision_comment
    assert fresh.status == ExtensionStatus.PENDING and fresh.approver == supervisor
    voided = CaseEvent.objects.get(case_id=branch.case_id, action="branch_extension_voided")
    assert "李四已不在岗" in voided.comment


def test_an_approver_who_moved_department_can_neither_block_nor_decide(
    branch: Branch, police: User, colleague: User, supervisor: User
) -> None:
    stale = ask(branch, police, colleague)
    colleague.department = Department.objects.get(code=FIRE)
    colleague.save(update_fields=["department"])

    response = signed_in(colleague).post(
        reverse("approvals:extension_decide", args=[stale.pk]),
        {f"x{stale.pk}-decision": "approve", f"x{stale.pk}-comment": ""},
    )
    inbox = text(signed_in(colleague).get(reverse("approvals:extensions")))
    assert response.status_code == 404, "another department's request is no longer his to decide"
    assert REASON not in inbox

    ask(branch, police, supervisor)
    stale.refresh_from_db()
    assert stale.status == ExtensionStatus.VOIDED


def test_a_request_to_an_approver_still_on_duty_still_blocks(
    branch: Branch, police: User, colleague: User, supervisor: User
) -> None:
    ask(branch, police, colleague)

    with pytest.raises(CaseConflict) as refused:
        ask(branch, police, supervisor)
    assert refused.value.code == "extension_pending"
