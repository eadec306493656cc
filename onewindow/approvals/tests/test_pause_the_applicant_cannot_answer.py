"""A department that stops the clock for its own site check or an expert review does not tell the
applicant to reply: there is nothing for him to answer, and no reply button is offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.services import branch_pause
from onewindow.approvals.tests.conftest import FIRE, branch_of, signed_in, text
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("reason", "label"), [("site_check", "现场核查"), ("expert", "检验检测、专家评审")])
def test_a_pause_for_the_department_itself_asks_for_no_reply(
    case: Case, fire: User, alice: User, reason: str, label: str
) -> None:
    branch = branch_pause(
        branch_id=branch_of(case, FIRE).pk, reviewer=fire, reason=reason, note="定于下周二到场"
    )

    page = text(signed_in(alice).get(reverse("cases:progress", args=[case.pk])))

    assert f"暂停计时（{label}）：" in page and "定于下周二到场" in page
    assert "您无需答复" in page
    assert "部门审核您的答复后恢复计时" not in page
    assert reverse("approvals:reply", args=[branch.pk]) not in page


def test_a_rectification_request_still_asks_for_the_reply(case: Case, fire: User, alice: User) -> None:
    branch = branch_pause(
        branch_id=branch_of(case, FIRE).pk, reviewer=fire, reason="rectification", note="补充消防器材清单"
    )

    page = text(signed_in(alice).get(reverse("cases:progress", args=[case.pk])))

    assert "部门要求（整改）：" in page and "部门审核您的答复后恢复计时" in page
    assert reverse("approvals:reply", args=[branch.pk]) in page


def test_a_supervisor_reading_the_case_is_not_told_to_answer(case: Case, fire: User) -> None:
    branch_pause(
        branch_id=branch_of(case, FIRE).pk, reviewer=fire, reason="rectification", note="补充消防器材清单"
    )
    supervisor = User.objects.get(username="supervisor")

    response = signed_in(supervisor).get(reverse("cases:progress", args=[case.pk]))

    assert response.status_code == 200
    page = text(response)
    assert "等待申请人答复" in page
    assert "请在下方该部门事项中点" not in page
    assert "我代办的办件" not in page and reverse("approvals:extensions") in page
