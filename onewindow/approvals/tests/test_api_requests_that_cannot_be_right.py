"""A reviewer's API request that can never be carried out is refused with a code and a message that
say what is wrong: an extension of an item the law does not let be extended, an approver with no
such account, a branch version no branch ever has, a permit valid until the year 9999.

The cast: 赵磊 (fire reviewer) decides the fire-safety branch, whose item has no statutory
extension; 王强 (police reviewer) is of another department; 郑华 (supervisor) may approve extensions.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import accepted_hotel_case
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus, Extension
from onewindow.approvals.services import branch_approve
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, signed_in
from onewindow.cases.models import Case
from onewindow.licenses.models import Permit

API = "/api/v1"

pytestmark = pytest.mark.django_db


@pytest.fixture
def fire_branch(case: Case) -> Branch:
    """The open fire-safety branch of an accepted hotel case: the law allows it no extension."""
    branch = branch_of(case, FIRE)
    assert branch.status == BranchStatus.PENDING
    assert branch.item.statutory_extension_days == 0
    return branch


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def extend(client: Client, branch_id: int, approver: str, days: int = 3) -> Any:
    body = {"days": days, "reason": "需要组织专家现场论证", "approver": approver}
    return post(client, f"{API}/branches/{branch_id}/extend", body)


# ---------------------------------------------------------------- extensions


def test_an_item_without_a_statutory_extension_cannot_be_extended(fire_branch: Branch, fire: User) -> None:
    response = extend(signed_in(fire), fire_branch.pk, "supervisor")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "extension_not_allowed"
    assert body["message"] == "该事项没有法定延长期限，不能申请延期。如确需延长，请按程序报批。"
    assert body["errors"] == [
        {"field": "days", "code": "extension_not_allowed", "message": "该事项依法不能延长审批期限。"}
    ]
    assert "1 至 0" not in response.content.decode()
    assert not Extension.objects.filter(branch=fire_branch).exists()


def test_a_branch_that_does_not_exist_is_not_found_before_the_approver_is_looked_at(
    fire_branch: Branch, fire: User, police: User
) -> None:
    missing = extend(signed_in(fire), 999999, "nobody")
    assert missing.status_code == 404
    assert missing.json()["code"] == "branch_not_found"

    other_department = extend(signed_in(police), fire_branch.pk, "nobody")
    assert other_department.status_code == 404
    assert other_department.json()["code"] == "branch_not_found"


def test_an_approver_with_no_such_account_is_named_in_the_answer(fire_branch: Branch, fire: User) -> None:
    response = extend(signed_in(fire), fire_branch.pk, "nobody")

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "approver_not_found"
    message = "没有找到账号为“nobody”的审批人，请核对。"
    assert body["message"] == message
    assert body["errors"] == [{"field": "approver", "code": "approver_not_found", "message": message}]
    assert not Extension.objects.filter(branch=fire_branch).exists()


def test_an_inactive_account_may_not_approve_and_an_empty_one_is_required(
    fire_branch: Branch, fire: User, police: User
) -> None:
    """On the police branch, which may be extended once 消防 has approved and it is open."""
    branch_approve(branch_id=fire_branch.pk, reviewer=fire, permit_number="", valid_until=None)
    police_branch = branch_of(fire_branch.case, POLICE)
    assert police_branch.status == BranchStatus.PENDING and police_branch.item.statutory_extension_days
    User.objects.create_user(username="sunming", role=Role.SUPERVISOR, display_name="孙明", is_active=False)
    client = signed_in(police)

    inactive = extend(client, police_branch.pk, "sunming")
    assert inactive.status_code == 422
    assert inactive.json()["code"] == "approver_required"
    assert inactive.json()["message"] == "审批人应为在岗的督查/管理人员或本部门其他审批人员，不能是本人。"

    empty = extend(client, police_branch.pk, " ")
    assert empty.status_code == 422
    assert empty.json()["code"] == "approver_required"
    assert empty.json()["errors"] == [
        {"field": "approver", "code": "approver_required", "message": "请填写审批人的账号。"}
    ]
    assert not Extension.objects.exists()


# ---------------------------------------------------------------- versions


@pytest.mark.parametrize("version", [-1, 2**31, 2**63])
@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("approve", {}),
        ("deny", {"reason": "消防设施不合格", "legal_basis": "《消防法》第十五条"}),
        ("pause", {"note": "请补充消防设施检测报告"}),
        ("resume", {}),
    ],
)
def test_a_version_no_branch_can_have_is_a_malformed_request(
    fire_branch: Branch, fire: User, action: str, body: dict[str, Any], version: int
) -> None:
    response = post(
        signed_in(fire), f"{API}/branches/{fire_branch.pk}/{action}", {**body, "version": version}
    )

    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "invalid_version"
    assert answer["message"] == "子件版本号（version）无效，请重新读取该子件，用返回的 version 再提交。"
    assert answer["errors"] == [
        {
            "field": "version",
            "code": "invalid_version",
            "message": "version 应为读取子件时返回的版本号（0 至 2147483647 之间的整数）。",
        }
    ]
    fire_branch.refresh_from_db()
    assert fire_branch.status == BranchStatus.PENDING


def test_an_extension_with_an_impossible_version_is_malformed_too(fire_branch: Branch, fire: User) -> None:
    body = {"days": 3, "reason": "需要论证", "approver": "supervisor", "version": -1}
    response = post(signed_in(fire), f"{API}/branches/{fire_branch.pk}/extend", body)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_version"


def test_a_stale_version_is_still_a_conflict(fire_branch: Branch, fire: User) -> None:
    url = f"{API}/branches/{fire_branch.pk}/approve"
    response = post(signed_in(fire), url, {"version": fire_branch.version + 1})

    assert response.status_code == 409
    assert response.json()["code"] == "branch_changed"
    assert post(signed_in(fire), url, {"version": fire_branch.version}).status_code == 200


# ---------------------------------------------------------------- validity


def test_a_validity_end_in_the_year_9999_is_refused(fire_branch: Branch, fire: User) -> None:
    url = f"{API}/branches/{fire_branch.pk}/approve"
    response = post(signed_in(fire), url, {"valid_until": "9999-12-31"})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "valid_until_out_of_range"
    message = "有效期截止日期应在今天之后、30 年之内。"
    assert body["message"] == message
    assert body["errors"] == [
        {"field": "valid_until", "code": "valid_until_out_of_range", "message": message}
    ]
    fire_branch.refresh_from_db()
    assert fire_branch.status == BranchStatus.PENDING
    assert not Permit.objects.filter(branch=fire_branch).exists()


def test_a_validity_of_thirty_years_or_none_at_all_is_accepted(alice: User, fire: User) -> None:
    today = timezone.localdate()
    last_day = today.replace(year=today.year + 30) if (today.month, today.day) != (2, 29) else None
    client = signed_in(fire)

    if last_day is not None:
        beyond = branch_of(accepted_hotel_case(alice), FIRE)
        too_far = {"valid_until": (last_day + timedelta(days=1)).isoformat()}
        assert post(client, f"{API}/branches/{beyond.pk}/approve", too_far).status_code == 422

        thirty = branch_of(accepted_hotel_case(alice), FIRE)
        answer = post(client, f"{API}/branches/{thirty.pk}/approve", {"valid_until": last_day.isoformat()})
        assert answer.status_code == 200
        thirty.refresh_from_db()
        assert thirty.valid_until == last_day

    open_ended = branch_of(accepted_hotel_case(alice), FIRE)
    answer = post(client, f"{API}/branches/{open_ended.pk}/approve", {"valid_until": None})
    assert answer.status_code == 200
    open_ended.refresh_from_db()
    assert open_ended.status == BranchStatus.APPROVED and open_ended.valid_until is None

    past = branch_of(accepted_hotel_case(alice), FIRE)
    yesterday = {"valid_until": (today - timedelta(days=1)).isoformat()}
    refused = post(client, f"{API}/branches/{past.pk}/approve", yesterday)
    assert refused.status_code == 422
    assert refused.json()["code"] == "validity_past"
