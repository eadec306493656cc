"""The date the applicant is promised on the progress page counts the items still waiting for a prerequisite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.approvals.calendar import current_calendar
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.approvals.services import branch_approve, branch_pause
from onewindow.cases.models import Case
from onewindow.cases.tests.test_case_notices import download, pdf_text


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def reviewer_of(branch: Branch) -> User:
    user, _created = User.objects.get_or_create(
        username=f"r-{branch.department.code}",
        defaults={"role": Role.REVIEWER, "department": branch.department},
    )
    return user


def held_and_prerequisite(case: Case) -> tuple[Branch, Branch]:
    held = case.branches.select_related("department", "item").get(status=BranchStatus.WAITING)
    return held, held.prerequisites.select_related("department", "item").get()


def latest_due(page: str) -> str:
    start = page.index('id="latest-due">') + len('id="latest-due">')
    return page[start : page.index("</strong>", start)]


@pytest.mark.django_db
def test_the_latest_due_date_includes_the_waiting_item_as_an_estimate(
    client: Client, accepted: Case, alice: User
) -> None:
    held, prerequisite = held_and_prerequisite(accepted)
    assert prerequisite.due_on is not None
    estimate = current_calendar().add(prerequisite.due_on, held.limit_days).date
    pending = [b.due_on for b in accepted.branches.filter(status=BranchStatus.PENDING) if b.due_on]
    assert estimate > max(pending), "the waiting item is the last to fall due"

    client.force_login(alice)
    page = client.get(reverse("cases:progress", args=[accepted.pk])).content.decode()

    assert latest_due(page) == day_text(estimate)
    assert "各部门最迟到期日（预计）" in page
    assert "等待前置审批的事项按前置事项到期日加其承诺时限估算" in page
    assert f"等待前置事项的审批结果后开始计时，预计{day_text(estimate)}前办结" in page


@pytest.mark.django_db
def test_a_waiting_item_behind_a_paused_one_is_named_as_left_out(
    client: Client, accepted: Case, alice: User
) -> None:
    _held, prerequisite = held_and_prerequisite(accepted)
    branch_pause(
        branch_id=prerequisite.pk, reviewer=reviewer_of(prerequisite), reason="rectification", note="补充图纸"
    )
    client.force_login(alice)
    page = client.get(reverse("cases:progress", args=[accepted.pk])).content.decode()

    assert "（预计）" not in page
    assert "等待前置审批的事项不在其内，前置事项办结后开始计时。" in page
    assert "暂停计时的事项不在其内" in page


@pytest.mark.django_db
def test_once_the_prerequisite_is_decided_the_real_due_date_is_shown(
    client: Client, accepted: Case, alice: User
) -> None:
    held, prerequisite = held_and_prerequisite(accepted)
    branch_approve(
        branch_id=prerequisite.pk, reviewer=reviewer_of(prerequisite), permit_number="XF-1", valid_until=None
    )
    held.refresh_from_db()
    assert held.status == BranchStatus.PENDING and held.due_on is not None
    open_dues = [
        b.due_on for b in accepted.branches.filter(status=BranchStatus.PENDING, decided_at=None) if b.due_on
    ]

    client.force_login(alice)
    page = client.get(reverse("cases:progress", args=[accepted.pk])).content.decode()

    assert latest_due(page) == day_text(max(open_dues))
    assert "（预计）" not in page
    assert "等待前置审批的事项" not in page


@pytest.mark.django_db
def test_the_acceptance_notice_says_the_waiting_item_starts_when_its_prerequisite_is_decided(
    client: Client, accepted: Case, alice: User, tmp_path: Path
) -> None:
    from onewindow.cases.tests.test_case_notices import pytestmark as needs_pdf_tools

    if needs_pdf_tools.args[0]:
        pytest.skip(needs_pdf_tools.kwargs["reason"])
    client.force_login(alice)
    text = pdf_text(download(client, reverse("cases:notice", args=[accepted.pk, "acceptance"])), tmp_path)

    assert "开始计时" in text
    assert "受理之日" in text
    assert "作出审批决定之日" in text
    assert "有前置事项的，自前置事项作出审批决定之日起计算，不自受理之日起计算" in text
