"""准予许可 for an item whose permit the law makes valid for a term (公共场所卫生许可: 4 years): the
permit is never 长期有效 and never valid beyond that term; items without one may still be.

The cast: 周敏 reviews 卫生健康 (created here); 赵磊 reviews 消防, whose item has no term.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_approve, validity_end
from onewindow.approvals.tests.conftest import FIRE, branch_of, signed_in, text
from onewindow.cases.models import Case
from onewindow.licenses.models import Permit

pytestmark = pytest.mark.django_db

HYGIENE = "429006-wj"


@pytest.fixture
def branch(case: Case) -> Branch:
    """The hygiene branch of alice's hotel case: its permit is valid for 4 years by law."""
    hygiene = branch_of(case, HYGIENE)
    assert hygiene.item.result_validity_years == 4
    return hygiene


@pytest.fixture
def reviewer(branch: Branch) -> User:
    return User.objects.create_user(
        username="r-wj", role=Role.REVIEWER, department=branch.department, display_name="周敏"
    )


def approve_by_api(client: Client, branch: Branch, **payload: object) -> tuple[int, dict[str, Any]]:
    response = client.post(
        f"/api/v1/branches/{branch.pk}/approve",
        {"permit_number": "", "version": branch.version, **payload},
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_approved_without_an_end_it_is_valid_for_the_legal_term(branch: Branch, reviewer: User) -> None:
    status, answer = approve_by_api(signed_in(reviewer), branch)

    assert status == 200, answer
    end = validity_end(timezone.localdate(), 4)
    branch.refresh_from_db()
    assert branch.valid_until == end
    assert Permit.objects.get(branch=branch).valid_until == end


def test_an_end_beyond_the_legal_term_is_refused(branch: Branch, reviewer: User) -> None:
    end = validity_end(timezone.localdate(), 4)

    status, answer = approve_by_api(
        signed_in(reviewer), branch, valid_until=(end + timedelta(days=1)).isoformat()
    )

    assert status == 422
    assert answer["code"] == "valid_until_beyond_term"
    assert f"有效期至最晚为 {end:%Y-%m-%d}" in answer["message"]
    branch.refresh_from_db()
    assert branch.status == BranchStatus.PENDING


def test_the_page_refuses_an_end_beyond_the_term_beside_the_field(branch: Branch, reviewer: User) -> None:
    response = signed_in(reviewer).post(
        reverse("approvals:approve", args=[branch.pk]),
        {
            "approve-version": branch.version,
            "approve-permit_number": "",
            "approve-valid_until": f"{validity_end(timezone.localdate(), 10):%Y-%m-%d}",
        },
    )

    assert response.status_code == 422
    assert "本事项许可有效期依法为 4 年" in text(response)


def test_an_earlier_end_is_kept(branch: Branch, reviewer: User) -> None:
    earlier = timezone.localdate() + timedelta(days=365)

    branch_approve(branch_id=branch.pk, reviewer=reviewer, permit_number="", valid_until=earlier)

    branch.refresh_from_db()
    assert branch.valid_until == earlier


def test_an_item_without_a_term_may_still_be_valid_for_ever(case: Case, fire: User) -> None:
    fire_branch = branch_of(case, FIRE)
    assert not fire_branch.item.result_validity_years

    branch_approve(branch_id=fire_branch.pk, reviewer=fire, permit_number="", valid_until=None)

    fire_branch.refresh_from_db()
    assert fire_branch.valid_until is None


def test_validity_end_is_the_day_before_the_anniversary() -> None:
    assert validity_end(date(2026, 3, 1), 4) == date(2030, 2, 28)
    assert validity_end(date(2028, 2, 29), 1) == date(2029, 2, 28)
