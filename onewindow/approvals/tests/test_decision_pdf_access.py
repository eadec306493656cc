"""Department staff download only their own department's decision PDFs, whatever their role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_approve
from onewindow.approvals.tests.conftest import FIRE
from onewindow.cases.models import Case
from onewindow.catalog.models import Department

NOT_FOUND = "没有找到这个子件。"


@pytest.fixture
def fire_decision(case: Case, fire: User) -> Branch:
    """The approved fire-safety branch of alice's four-item hotel case, which also has a police branch."""
    branch = Branch.objects.get(case=case, department__code=FIRE)
    branch_approve(branch_id=branch.pk, reviewer=fire, permit_number="XF-2026-1", valid_until=None)
    return branch


def download(username: str, branch: Branch) -> tuple[int, str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("approvals:decision_pdf", args=[branch.pk]))
    body = "" if response.get("Content-Type") == "application/pdf" else response.content.decode()
    return response.status_code, body


@pytest.mark.parametrize("username", ["reviewer", "inspector"])
def test_police_staff_cannot_download_the_fire_decision(fire_decision: Branch, username: str) -> None:
    assert fire_decision.case.branches.filter(department__code="429006-ga").exists(), (
        "the police department has its own branch in this case, so it may view the case"
    )
    status, body = download(username, fire_decision)
    assert status == 404
    assert NOT_FOUND in body


def test_fire_inspector_downloads_his_department_decision(fire_decision: Branch) -> None:
    """刘洋, the demo inspector of 消防."""
    inspector = User.objects.get(username="inspector_fire")
    assert (inspector.role, inspector.department) == (Role.INSPECTOR, Department.objects.get(code=FIRE))
    status, _body = download("inspector_fire", fire_decision)
    assert status == 200


def test_a_stranger_reads_the_same_404_for_anothers_decision_as_for_none(
    fire_decision: Branch, bob: User
) -> None:
    """bob may not see alice's case: her decision PDF must not read differently from a missing one."""
    client = Client()
    client.force_login(bob)

    alices = client.get(reverse("approvals:decision_pdf", args=[fire_decision.pk]))
    nobodys = client.get(reverse("approvals:decision_pdf", args=[fire_decision.pk + 10_000]))

    assert (alices.status_code, nobodys.status_code) == (404, 404)
    assert NOT_FOUND in alices.content.decode()
    assert NOT_FOUND in nobodys.content.decode()
