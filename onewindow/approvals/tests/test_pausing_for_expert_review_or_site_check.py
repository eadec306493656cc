"""暂停计时 for testing, expert review or a site check: the applicant is told why his case waits,
not asked to rectify what nobody asked him to; a rectification or a supplement still asks him.

The cast: 赵磊 (fire reviewer) stops the clock of alice's 消防 branch.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch
from onewindow.approvals.tests.conftest import FIRE, branch_of, signed_in, text
from onewindow.cases.models import Case
from onewindow.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(case: Case) -> Branch:
    return branch_of(case, FIRE)


def pause_on_page(fire: User, branch: Branch, reason: str, note: str) -> str:
    response = signed_in(fire).post(
        reverse("approvals:pause", args=[branch.pk]),
        {"pause-version": branch.version, "pause-reason": reason, "pause-note": note},
        follow=True,
    )
    return text(response)


def told(alice: User) -> Notification:
    message = Notification.objects.filter(user=alice).order_by("-id").first()
    assert message is not None
    return message


def test_expert_review_tells_the_applicant_why_the_clock_stops(
    branch: Branch, fire: User, alice: User
) -> None:
    page = pause_on_page(fire, branch, "expert", "委托第三方机构检测消防设施")

    message = told(alice)
    assert "整改" not in message.title and "整改" not in message.body
    assert message.title == "检验检测、专家评审，暂停计时"
    assert "进入检验检测、专家评审：委托第三方机构检测消防设施" in message.body
    assert "无需在线答复" in message.body
    assert "已暂停计时，并已告知申请人暂停的原因" in page
    assert "通知申请人整改" not in page


def test_a_site_check_tells_the_applicant_why_the_clock_stops(
    branch: Branch, fire: User, alice: User
) -> None:
    page = pause_on_page(fire, branch, "site_check", "下周二现场核查消防通道")

    message = told(alice)
    assert "整改" not in message.title and "整改" not in message.body
    assert "进行现场核查：下周二现场核查消防通道" in message.body
    assert "通知申请人整改" not in page


def test_a_rectification_still_asks_the_applicant_to_rectify(branch: Branch, fire: User, alice: User) -> None:
    page = pause_on_page(fire, branch, "rectification", "补充消防设施检测报告")

    message = told(alice)
    assert message.title == "需要整改"
    assert "需要整改：补充消防设施检测报告" in message.body
    assert "已暂停计时，并已通知申请人整改" in page


def test_a_supplement_asks_for_the_documents(branch: Branch, fire: User, alice: User) -> None:
    page = pause_on_page(fire, branch, "supplement", "补交消防设计审查意见书")

    message = told(alice)
    assert message.title == "需要补正材料"
    assert "需要补正：补交消防设计审查意见书" in message.body
    assert "已暂停计时，并已通知申请人补正材料" in page


def test_an_empty_note_is_asked_for_in_the_reasons_words(branch: Branch, fire: User) -> None:
    expert = pause_on_page(fire, branch, "expert", " ")
    rectification = pause_on_page(fire, branch, "rectification", "")

    assert "请填写暂停说明" in expert and "请填写整改要求" not in expert
    assert "请填写整改要求" in rectification
