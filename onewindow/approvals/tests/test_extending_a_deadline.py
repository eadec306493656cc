"""延期申请 → 分管领导审批: a reviewer asks, the approver he named decides, only approval moves the deadline.

The cast: 王强 (police reviewer) asks for the special-trade branch, 郑华 (supervisor) is named to
approve, 孙明 (a second supervisor) and 赵磊 (fire reviewer) are not, alice is the applicant.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus, Extension, ExtensionStatus
from onewindow.approvals.services import branch_approve, extension_request
from onewindow.approvals.tests.conftest import FIRE, POLICE, signed_in, text
from onewindow.cases.models import Case, CaseEvent
from onewindow.notifications.models import Notification

API = "/api/v1"
REASON = "需要组织专家现场论证"

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor() -> User:
    """郑华, the supervisor named to approve."""
    return User.objects.get(username="supervisor")


@pytest.fixture
def other_supervisor() -> User:
    """孙明, a supervisor nobody named."""
    return User.objects.create_user(username="sunming", role=Role.SUPERVISOR, display_name="孙明（督查室）")


@pytest.fixture
def branch(case: Case, police: User, fire: User) -> Branch:
    """The police branch (特种行业许可证) of an accepted hotel case, open now that 消防 has approved."""
    fire_branch = Branch.objects.get(case=case, department__code=FIRE)
    branch_approve(branch_id=fire_branch.pk, reviewer=fire, permit_number="XF-1", valid_until=None)
    opened = Branch.objects.select_related("item", "case").get(case=case, department__code=POLICE)
    assert opened.status == BranchStatus.PENDING and opened.due_on is not None
    assert opened.item.statutory_extension_days >= 2, "the special-trade permit may be extended"
    return opened


def ask(client: Client, branch: Branch, approver: User, days: int = 2, **extra: Any) -> HttpResponseBase:
    """The reviewer sends the extension form of his branch page."""
    data = {
        "extend-version": branch.version,
        "extend-days": days,
        "extend-reason": REASON,
        "extend-approver": approver.pk,
        **extra,
    }
    return client.post(reverse("approvals:extend", args=[branch.pk]), data, follow=True)


def requested(branch: Branch, police: User, supervisor: User, days: int = 2) -> Extension:
    return extension_request(
        branch_id=branch.pk, reviewer=police, approver=supervisor, days=days, reason=REASON
    )


def decide(client: Client, extension: Extension, decision: str, comment: str = "") -> HttpResponseBase:
    """The approver presses "批准延期" or "不批准" under the request on his 延期审批 page."""
    data = {f"x{extension.pk}-decision": decision, f"x{extension.pk}-comment": comment}
    return client.post(reverse("approvals:extension_decide", args=[extension.pk]), data)


# ---------------------------------------------------------------- the request


def test_a_request_waits_for_the_approver_and_the_due_date_stays(
    branch: Branch, police: User, supervisor: User
) -> None:
    old_due = branch.due_on
    page = text(ask(signed_in(police), branch, supervisor, days=2))

    branch.refresh_from_db()
    assert branch.due_on == old_due
    assert branch.extension_days == 0
    assert "延期申请待审批" in page
    assert f"待{supervisor.name}审批；批准前到期日不变" in page
    assert "申请延长审批期限" in page, "the request is on the branch's timeline"
    extension = Extension.objects.get(branch=branch)
    assert extension.status == ExtensionStatus.PENDING
    assert extension.approved_by is None and extension.approved_at is None
    event = CaseEvent.objects.filter(case_id=branch.case_id).order_by("-seq").first()
    assert event is not None and event.action == "branch_extension_requested"
    assert event.data["approver"] == supervisor.name

    message = Notification.objects.get(user=supervisor, title="延期申请待您审批")
    assert f"办件 {branch.case.number}" in message.body and REASON in message.body
    assert message.link == reverse("approvals:extensions")
    inbox = text(signed_in(supervisor).get(message.link))
    assert branch.item.name in inbox
    assert REASON in inbox
    assert reverse("approvals:extension_decide", args=[extension.pk]) in inbox


def test_a_second_request_while_one_waits_is_refused(
    branch: Branch, police: User, supervisor: User, other_supervisor: User
) -> None:
    client = signed_in(police)
    ask(client, branch, supervisor)
    page = text(client.get(reverse("approvals:branch", args=[branch.pk])))
    assert 'name="extend-version"' not in page, "the page offers no second request"

    branch.refresh_from_db()
    response = ask(client, branch, other_supervisor)  # a page opened before the first request
    assert response.status_code == 409
    assert f"该子件已有一份延期申请等待{supervisor.name}审批，审批完成前不能再次申请。" in text(response)
    assert Extension.objects.filter(branch=branch).count() == 1


def test_an_inactive_supervisor_cannot_be_chosen(
    branch: Branch, police: User, other_supervisor: User
) -> None:
    other_supervisor.is_active = False
    other_supervisor.save(update_fields=["is_active"])
    client = signed_in(police)
    page = text(client.get(reverse("approvals:branch", args=[branch.pk])))
    assert "郑华（督查室）" in page
    assert other_supervisor.name not in page

    response = ask(client, branch, other_supervisor)
    assert response.status_code == 422
    assert "请从列表中选择审批人。" in text(response)

    api = client.post(
        f"{API}/branches/{branch.pk}/extend",
        {"days": 2, "reason": REASON, "approver": other_supervisor.username},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["code"] == "approver_required"
    assert not Extension.objects.exists()


# ---------------------------------------------------------------- the decision


def test_approval_moves_the_due_date_by_the_working_days(
    branch: Branch, police: User, supervisor: User
) -> None:
    old_due = branch.due_on
    assert old_due is not None
    extension = requested(branch, police, supervisor, days=2)
    client = signed_in(supervisor)

    response = decide(client, extension, "approve", comment="同意")
    assert response.status_code == 302
    branch.refresh_from_db()
    expected = current_calendar().add(old_due, 2).date
    assert branch.due_on == expected
    assert branch.extension_days == 2
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert extension.approved_by == supervisor and extension.approved_at is not None
    inbox = text(client.get(reverse("approvals:extensions")))
    assert f"的到期日顺延至 {expected:%Y-%m-%d}" in inbox
    assert "目前没有等待您审批的延期申请" in inbox

    page = text(signed_in(police).get(reverse("approvals:branch", args=[branch.pk])))
    assert f"经{supervisor.name}批准延长 2 个工作日" in page
    assert "延期申请待审批" not in page
    assert "审批意见：同意" in page
    told = Notification.objects.get(user=police, title="延期申请已批准")
    assert f"{expected:%Y-%m-%d}" in told.body
    # The applicant learns the new due date and why (行政许可法 第四十二条).
    applicant_told = Notification.objects.get(user=branch.case.applicant, title="审批期限延长")
    assert f"到期日为 {expected:%Y-%m-%d}" in applicant_told.body
    assert extension.reason in applicant_told.body

    again = decide(client, extension, "approve")
    assert again.status_code == 409
    assert "这份延期申请已审批（已批准），不能重复审批。" in text(again)
    branch.refresh_from_db()
    assert branch.extension_days == 2, "approved once"


def test_decline_keeps_the_due_date_and_tells_the_requester(
    branch: Branch, police: User, supervisor: User
) -> None:
    old_due = branch.due_on
    extension = requested(branch, police, supervisor)
    client = signed_in(supervisor)

    response = decide(client, extension, "decline", comment="  ")
    assert response.status_code == 422
    assert "不批准延期须写明理由。" in text(response)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING

    response = decide(client, extension, "decline", comment="现有材料足以作出决定")
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.due_on == old_due
    assert branch.extension_days == 0
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.DECLINED
    told = Notification.objects.get(user=police, title="延期申请未获批准")
    assert "现有材料足以作出决定" in told.body
    assert f"{old_due:%Y-%m-%d}" in told.body

    page = text(signed_in(police).get(reverse("approvals:branch", args=[branch.pk])))
    assert "未批准延长 2 个工作日：现有材料足以作出决定" in page
    assert "延期申请未获批准" in page, "the decline is on the timeline"
    assert 'name="extend-version"' in page, "after a decline the reviewer may ask again"


def test_only_the_named_approver_may_decide(
    branch: Branch, alice: User, police: User, fire: User, supervisor: User, other_supervisor: User
) -> None:
    old_due = branch.due_on
    extension = requested(branch, police, supervisor)

    stranger = signed_in(other_supervisor)
    assert branch.item.name not in text(stranger.get(reverse("approvals:extensions")))
    for user in (other_supervisor, police, fire):
        response = decide(signed_in(user), extension, "approve")
        assert response.status_code == 404, user.username
        assert "没有找到这份延期申请" in text(response)
    applicant = decide(signed_in(alice), extension, "approve")
    assert applicant.status_code == 403
    assert "您没有权限查看这个页面" in text(applicant)
    api = stranger.post(
        f"{API}/review/extension-requests/{extension.pk}/approve", {}, content_type="application/json"
    )
    assert api.status_code == 404
    assert api.json()["code"] == "extension_not_found"

    branch.refresh_from_db()
    extension.refresh_from_db()
    assert branch.due_on == old_due
    assert extension.status == ExtensionStatus.PENDING


def test_a_request_on_a_decided_branch_cannot_be_approved(
    branch: Branch, police: User, supervisor: User
) -> None:
    extension = requested(branch, police, supervisor)
    branch_approve(branch_id=branch.pk, reviewer=police, permit_number="TZ-1", valid_until=None)
    client = signed_in(supervisor)
    assert branch.item.name not in text(client.get(reverse("approvals:extensions")))

    response = decide(client, extension, "approve")
    assert response.status_code == 409
    assert "该子件已准予许可，延期申请无需再审批。" in text(response)
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.PENDING


# ---------------------------------------------------------------- the API


def test_api_request_list_and_approve(branch: Branch, alice: User, police: User, supervisor: User) -> None:
    old_due = branch.due_on
    assert old_due is not None
    reviewer = signed_in(police)
    response = reviewer.post(
        f"{API}/branches/{branch.pk}/extend",
        {"days": 3, "reason": REASON, "approver": supervisor.username, "version": branch.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["extension"]["status"] == "pending"
    assert body["extension"]["status_label"] == "待审批"
    assert body["extension"]["approver"] == supervisor.username
    assert body["due_on"] == f"{old_due:%Y-%m-%d}"

    again = reviewer.post(
        f"{API}/branches/{branch.pk}/extend",
        {"days": 1, "reason": REASON, "approver": supervisor.username},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "extension_pending"

    approver = signed_in(supervisor)
    inbox = approver.get(f"{API}/review/extension-requests").json()["items"]
    assert [(row["id"], row["branch"]["id"], row["days"]) for row in inbox] == [
        (body["extension"]["id"], branch.pk, 3)
    ]
    assert reviewer.get(f"{API}/review/extension-requests").json()["items"] == []
    applicant = signed_in(alice)
    assert applicant.get(f"{API}/review/extension-requests").status_code == 404

    decided = approver.post(
        f"{API}/review/extension-requests/{inbox[0]['id']}/approve",
        {"comment": "同意"},
        content_type="application/json",
    )
    assert decided.status_code == 200, decided.content
    expected = current_calendar().add(old_due, 3).date
    assert decided.json()["status"] == "approved"
    assert decided.json()["branch"]["due_on"] == f"{expected:%Y-%m-%d}"
    twice = approver.post(
        f"{API}/review/extension-requests/{inbox[0]['id']}/decline",
        {"reason": "改变主意"},
        content_type="application/json",
    )
    assert twice.status_code == 409
    assert twice.json()["code"] == "extension_decided"
    assert "不能重复审批" in twice.json()["message"]
    branch.refresh_from_db()
    assert branch.due_on == expected


def test_api_decline_needs_a_reason(branch: Branch, police: User, supervisor: User) -> None:
    extension = requested(branch, police, supervisor)
    approver = signed_in(supervisor)
    url = f"{API}/review/extension-requests/{extension.pk}/decline"
    empty = approver.post(url, {"reason": ""}, content_type="application/json")
    assert empty.status_code == 422
    assert empty.json()["code"] == "reason_required"
    declined = approver.post(url, {"reason": "无需延期"}, content_type="application/json")
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["comment"] == "无需延期"
    assert Notification.objects.filter(user=police, title="延期申请未获批准").exists()


def test_every_mistake_of_the_request_is_shown_at_once(branch: Branch, police: User) -> None:
    """Too many days, no reason and no approver: all three are named on the first submit."""
    response = signed_in(police).post(
        reverse("approvals:extend", args=[branch.pk]),
        {"extend-version": branch.version, "extend-days": 30, "extend-reason": "", "extend-approver": ""},
    )

    page = text(response)
    allowed = branch.item.statutory_extension_days
    assert f"延长天数应在 1 至 {allowed} 个工作日之间。" in page
    assert "请写明延期理由。" in page
    assert "请选择审批人。" in page
    assert not Extension.objects.filter(branch=branch).exists()
