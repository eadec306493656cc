"""Decision notices (准予 / 不予行政许可决定书) as PDFs, for the department and the applicant."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_approve, branch_deny
from onewindow.approvals.tests.conftest import FIRE, signed_in
from onewindow.cases.models import Case

PDFTOTEXT = "/usr/bin/pdftotext"


@pytest.fixture
def branch(case: Case) -> Branch:
    """The fire-safety branch of alice's accepted four-item hotel case, not yet decided."""
    return Branch.objects.select_related("case", "item", "department").get(case=case, department__code=FIRE)


def pdf_text(response: Any, tmp_path: Path) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "decision.pdf"
    path.write_bytes(response.content)
    result = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return "".join(result.stdout.split())  # Chinese text may be broken across lines and cells


def url(branch: Branch) -> str:
    return reverse("approvals:decision_pdf", args=[branch.pk])


def test_approval_decision_carries_the_permit(
    branch: Branch, fire: User, alice: User, tmp_path: Path
) -> None:
    valid_until = timezone.localdate() + timedelta(days=365 * 4)
    branch_approve(
        branch_id=branch.pk, reviewer=fire, permit_number="天消安检字2026第0007号", valid_until=valid_until
    )
    case: Case = branch.case

    content = pdf_text(signed_in(fire).get(url(branch)), tmp_path)
    assert "准予行政许可决定书" in content
    assert "天消安检字2026第0007号" in content
    assert case.number
    assert case.number in content
    assert case.holder_name in content
    assert branch.item.name in content
    assert branch.department.name in content
    assert f"{valid_until.year}年{valid_until.month}月{valid_until.day}日" in content

    # The applicant downloads the same document from his case.
    response = signed_in(alice).get(url(branch))
    assert "天消安检字2026第0007号" in pdf_text(response, tmp_path)
    assert "filename*=UTF-8''" in response["Content-Disposition"]


def test_denial_decision_gives_reason_basis_and_remedies(branch: Branch, fire: User, tmp_path: Path) -> None:
    branch_deny(
        branch_id=branch.pk,
        reviewer=fire,
        reason="安全出口数量不符合要求",
        legal_basis="《中华人民共和国消防法》第十五条",
    )
    content = pdf_text(signed_in(fire).get(url(branch)), tmp_path)
    assert "不予行政许可决定书" in content
    assert "安全出口数量不符合要求" in content
    assert "《中华人民共和国消防法》第十五条" in content
    assert "六十日内" in content
    assert "行政复议" in content
    assert "六个月内" in content
    assert "行政诉讼" in content
    assert branch.case.number
    assert branch.case.number in content


def test_no_document_before_a_decision(branch: Branch, fire: User, alice: User) -> None:
    assert signed_in(fire).get(url(branch)).status_code == 404
    assert signed_in(alice).get(url(branch)).status_code == 404


def test_only_the_department_and_the_applicant_may_download(
    branch: Branch, fire: User, alice: User, bob: User, police: User
) -> None:
    branch_approve(branch_id=branch.pk, reviewer=fire, permit_number="XF-9", valid_until=None)
    assert signed_in(bob).get(url(branch)).status_code == 404
    assert signed_in(police).get(url(branch)).status_code == 404, "another department"
    anonymous = Client().get(url(branch))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    assert signed_in(alice).get(url(branch)).status_code == 200
