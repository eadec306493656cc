"""准予许可 with a permit number typed by hand (from the paper register) next to numbers the
department's rule gives: no number is given twice, and a clash is a message, never a 500.

The cast: 赵磊 (fire reviewer) approves alice's hotel cases.
"""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import accepted_hotel_case, seed_again
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_approve
from onewindow.approvals.tests.conftest import FIRE, branch_of, race, second_fire_reviewer
from onewindow.cases.errors import CaseError
from onewindow.licenses.models import Permit, PermitCounter


def client_of(user: User) -> Client:
    """A signed-in client that answers a server error as a 500 page instead of raising it."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def next_auto_number(branch: Branch) -> str:
    """The number the department's numbering rule gives its next approval this year."""
    department = branch.department
    year = timezone.localdate().year
    counter = PermitCounter.objects.filter(department=department, year=year).first()
    seq = (counter.last if counter else 0) + 1
    return department.permit_number_format.format(
        short=department.short_name, code=department.code, year=year, seq=seq
    )


def approve_on_page(client: Client, branch: Branch, permit_number: str = "") -> HttpResponse:
    response = client.post(
        reverse("approvals:approve", args=[branch.pk]),
        {
            "approve-version": branch.version,
            "approve-permit_number": permit_number,
            "approve-valid_until": "",
        },
    )
    assert isinstance(response, HttpResponse)
    return response


def test_the_rule_passes_over_a_number_typed_by_hand(alice: User, fire: User) -> None:
    """The typed number is the one the rule would give next: the next approval left to the rule
    gets the number after it, and so do the ones after that."""
    first, second, third = (branch_of(accepted_hotel_case(alice), FIRE) for _n in range(3))
    typed = next_auto_number(first)
    branch_approve(branch_id=first.pk, reviewer=fire, permit_number=typed, valid_until=None)
    client = client_of(fire)

    response = approve_on_page(client, second)
    after = approve_on_page(client, third)

    assert response.status_code == 302 and after.status_code == 302
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == third.status == BranchStatus.APPROVED
    numbers = {typed, second.permit_number, third.permit_number}
    assert len(numbers) == 3, f"a number was given twice: {numbers}"
    assert Permit.objects.filter(number__in=numbers).count() == 3


def test_a_number_taken_at_the_same_moment_is_a_message(alice: User, fire: User) -> None:
    """Two reviewers type the same number at once: both find it free, the second insert clashes.
    The second reviewer is told the number was just taken, nothing of his approval is kept, and
    he can approve again at once."""
    taken, later = (branch_of(accepted_hotel_case(alice), FIRE) for _n in range(2))
    branch_approve(branch_id=taken.pk, reviewer=fire, permit_number="消防纸质登记第7号", valid_until=None)
    client = client_of(fire)

    # The other approval commits between this one's check and its insert.
    with mock.patch("onewindow.approvals.services.permit_number_for", return_value="消防纸质登记第7号"):
        response = approve_on_page(client, later, "消防纸质登记第7号")

    assert response.status_code == 422
    page = response.content.decode()
    assert "许可证号“消防纸质登记第7号”刚刚已被另一份许可使用" in page
    later.refresh_from_db()
    assert later.status == BranchStatus.PENDING and not later.permit_number
    assert approve_on_page(client, later).status_code == 302
    later.refresh_from_db()
    assert later.status == BranchStatus.APPROVED


def test_the_api_answers_a_clash_with_its_code(alice: User, fire: User) -> None:
    taken, later = (branch_of(accepted_hotel_case(alice), FIRE) for _n in range(2))
    branch_approve(branch_id=taken.pk, reviewer=fire, permit_number="XF-纸-8", valid_until=None)

    with mock.patch("onewindow.approvals.services.permit_number_for", return_value="XF-纸-8"):
        response = client_of(fire).post(
            f"/api/v1/branches/{later.pk}/approve",
            {"permit_number": "XF-纸-8", "version": later.version},
            content_type="application/json",
        )

    assert response.status_code == 422, response.content.decode()
    assert response.json()["code"] == "permit_number_taken"


def _supports_concurrent_writers() -> bool:
    # The in-memory SQLite test database fails a second writer at once instead of letting it wait.
    return connection.vendor == "postgresql" or not connection.is_in_memory_db()  # type: ignore[attr-defined]


@pytest.mark.skipif("not _supports_concurrent_writers()", reason="需要 PostgreSQL 或文件型 SQLite 测试库")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_typing_the_same_number_at_once() -> None:
    """Two reviewers of 消防 type the same paper-register number on two cases at the same moment:
    one approval stands, the other is told the number is taken; neither is a 500."""
    seed_again()
    applicant = User.objects.get(username="applicant")
    first = User.objects.get(username="reviewer_fire")
    second = second_fire_reviewer(first)
    branches = {name: branch_of(accepted_hotel_case(applicant), FIRE) for name in ("first", "second")}
    reviewers = {"first": first, "second": second}
    answers: dict[str, str] = {}

    def approving(name: str) -> Callable[[], None]:
        def act() -> None:
            try:
                branch_approve(
                    branch_id=branches[name].pk,
                    reviewer=reviewers[name],
                    permit_number="消防纸质登记第9号",
                    valid_until=None,
                )
            except CaseError as exc:
                answers[name] = exc.code
            else:
                answers[name] = "approved"

        return act

    outcomes = race({name: approving(name) for name in branches})

    assert sorted(answers.values()) == ["approved", "permit_number_taken"], (answers, outcomes)
    assert Permit.objects.filter(number="消防纸质登记第9号").count() == 1
