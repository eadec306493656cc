"""A department's permit numbering rule must give each permit of a year its own number."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_approve
from onewindow.cases.errors import CaseError
from onewindow.catalog.models import Department

pytestmark = pytest.mark.django_db
FIRE = "429006-xf"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("{short}许字〔{year}〕", "须含当年序号 {seq}"),
        ("{short}许字〔{yaer}〕第{seq:05d}号", "花括号中只能是"),
        ("{short}许字{第{seq}号", "花括号中只能是"),
    ],
)
def test_the_admin_refuses_a_rule_that_cannot_number_permits(rule: str, problem: str) -> None:
    fire = Department.objects.get(code=FIRE)
    fire.permit_number_format = rule

    with pytest.raises(ValidationError) as refused:
        fire.full_clean()

    assert problem in " ".join(refused.value.message_dict["permit_number_format"])


def test_the_default_rule_and_a_custom_one_with_a_sequence_pass() -> None:
    fire = Department.objects.get(code=FIRE)
    fire.full_clean()
    fire.permit_number_format = "天消许〔{year}〕{seq:04d}"
    fire.full_clean()


def test_a_rule_saved_without_a_sequence_stops_an_approval_with_a_message_instead_of_hanging(
    alice: User, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr("onewindow.licenses.services.PERMIT_NUMBER_ATTEMPTS", 5)
    Department.objects.filter(code=FIRE).update(permit_number_format="{short}许字〔{year}〕")
    fire_reviewer = User.objects.get(username="reviewer_fire")
    first, second = (
        Branch.objects.get(case=accepted_hotel_case(alice), department__code=FIRE) for _ in range(2)
    )
    branch_approve(branch_id=first.pk, reviewer=fire_reviewer, permit_number="", valid_until=None)

    with pytest.raises(CaseError) as stopped:
        branch_approve(branch_id=second.pk, reviewer=fire_reviewer, permit_number="", valid_until=None)

    assert stopped.value.code == "permit_number_rule_exhausted"
    assert "须含当年序号" in stopped.value.message
    second.refresh_from_db()
    assert second.status == "pending"
