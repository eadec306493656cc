"""The progress page's 下一步 says what the applicant has to do now: answer a department's
rectification request, be there for a joint inspection, rectify by its deadline, choose how to
receive the licence and then receive it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from lxml import html as lhtml

from conftest import accepted_hotel_case
from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_pause, branch_reply
from onewindow.cases.demo import approve_all
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.inspections.models import JointInspection
from onewindow.inspections.services import inspection_finish, inspection_schedule
from onewindow.inspections.tests.conftest import HOTEL_ALL_YES, SITE_CHECK_DEPARTMENTS, record_everything
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import delivery_choose, delivery_ship, licence_issue

pytestmark = pytest.mark.django_db

FIRE = "429006-xf"
ADDRESS = "天门市竟陵街道钟惺大道88号"


def page_of(client: Client, case: Case) -> lhtml.HtmlElement:
    response = client.get(reverse("cases:progress", args=[case.pk]))
    assert response.status_code == 200
    return lhtml.fromstring(response.content.decode())


def next_step(client: Client, case: Case) -> str:
    return str(page_of(client, case).get_element_by_id("next-step").text_content())


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fire_branch(case: Case) -> Branch:
    return case.branches.select_related("department").get(department__code=FIRE)


# ---------------------------------------------------------------- a department's rectification request


def test_a_rectification_request_asks_the_applicant_to_answer_it(alice: User) -> None:
    case = accepted_hotel_case(alice)
    fire = fire_branch(case)
    branch_pause(
        branch_id=fire.pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        reason="rectification",
        note="请整改消防通道",
    )

    step = next_step(as_user(alice), case)

    assert fire.department.short_name in step
    assert "要求整改" in step and "答复整改要求" in step, step
    assert "各部门正在并联审批" not in step


def test_once_answered_it_says_the_department_is_reading_the_answer(alice: User) -> None:
    case = accepted_hotel_case(alice)
    fire = fire_branch(case)
    branch_pause(
        branch_id=fire.pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        reason="rectification",
        note="请整改消防通道",
    )
    branch_reply(branch_id=fire.pk, applicant=alice, text="消防通道已清理。")

    step = next_step(as_user(alice), case)

    assert f"您已答复{fire.department.short_name}的整改要求，等待部门审核" in step, step


def test_a_pause_for_an_expert_asks_nothing_of_the_applicant(alice: User) -> None:
    case = accepted_hotel_case(alice)
    branch_pause(
        branch_id=fire_branch(case).pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        reason="expert",
        note="委托检测",
    )

    assert "各部门正在并联审批" in next_step(as_user(alice), case)


def test_when_every_open_branch_is_paused_the_page_says_why_there_is_no_due_date(alice: User) -> None:
    case = accepted_hotel_case(alice)
    reviewers = {FIRE: User.objects.get(username="reviewer_fire")}
    for branch in case.branches.select_related("department").filter(status="pending"):
        reviewer = reviewers.get(branch.department.code) or User.objects.create_user(
            username=f"r-{branch.department.code}", role=Role.REVIEWER, department=branch.department
        )
        branch_pause(branch_id=branch.pk, reviewer=reviewer, reason="rectification", note="请整改")
    assert case.branches.filter(status="waiting").exists(), "公安's special-trade item waits for 消防"

    line = page_of(as_user(alice), case).get_element_by_id("latest-due-line").text_content()

    assert "暂无到期日：正在办理的事项均已暂停计时" in line
    assert "等待前置审批的事项不在其内" in line


# ---------------------------------------------------------------- a joint inspection


def scheduled_inspection(case: Case, when: datetime) -> tuple[JointInspection, dict[str, User]]:
    organiser = User.objects.get(username="inspector")
    inspectors = {"429006-ga": organiser}
    for department in Department.objects.filter(code__in=SITE_CHECK_DEPARTMENTS).exclude(code="429006-ga"):
        inspectors[department.code] = User.objects.create_user(
            username=f"i-{department.code}", role=Role.INSPECTOR, department=department
        )
    inspection = inspection_schedule(
        case=case, organiser=organiser, scheduled_at=when, address=ADDRESS, inspectors=inspectors
    )
    return inspection, inspectors


def test_a_scheduled_inspection_shows_its_date_time_and_address(alice: User) -> None:
    case = accepted_hotel_case(alice, HOTEL_ALL_YES)
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=9, minute=30, second=0)
    scheduled_inspection(case, when)
    page = page_of(as_user(alice), case)

    step = str(page.get_element_by_id("next-step").text_content())

    date_text = f"{when.year}年{when.month}月{when.day}日 09:30"
    assert date_text in step and ADDRESS in step, step
    assert page.get_element_by_id("inspection-when").text_content() == date_text
    assert page.get_element_by_id("inspection-address").text_content() == ADDRESS


def test_after_the_findings_it_gives_the_rectification_deadline(alice: User) -> None:
    case = accepted_hotel_case(alice, HOTEL_ALL_YES)
    inspection, inspectors = scheduled_inspection(case, timezone.now() + timedelta(hours=1))
    record_everything(inspection, inspectors, fail=FIRE)
    inspection = inspection_finish(inspection=inspection, organiser=inspectors["429006-ga"])
    notice = inspection.notices.get()
    page = page_of(as_user(alice), case)

    step = str(page.get_element_by_id("next-step").text_content())

    due = f"{notice.due_on.year}年{notice.due_on.month}月{notice.due_on.day}日"
    assert f"请在{due}前整改完毕" in step and "报告整改情况" in step, step
    assert page.get_element_by_id("rectification-due").text_content() == due


# ---------------------------------------------------------------- the licence


def issued(alice: User) -> ComprehensiveLicense:
    case = accepted_hotel_case(alice)
    approve_all(case)
    return licence_issue(case=Case.objects.get(pk=case.pk), issuer=User.objects.get(username="issuer"))


def test_after_issue_it_asks_the_applicant_to_choose_pickup_or_post(alice: User) -> None:
    licence = issued(alice)

    step = next_step(as_user(alice), licence.case)

    assert "综合许可证已签发" in step and "窗口领取或邮寄送达" in step, step


def test_after_choosing_pickup_it_says_where_to_collect_the_licence(alice: User) -> None:
    licence = issued(alice)
    delivery_choose(licence=licence, user=alice, method="pickup")

    step = next_step(as_user(alice), licence.case)

    assert "您选择了窗口领取" in step and licence.case.service_center.name in step and "取件码" in step, step


def test_after_posting_it_gives_the_carrier_and_tracking_number(alice: User) -> None:
    licence = issued(alice)
    delivery_choose(
        licence=licence, user=alice, method="post", recipient="张三", phone="13912345678", address=ADDRESS
    )
    assert "待寄出" in next_step(as_user(alice), licence.case)

    delivery_ship(
        licence=licence,
        staff=User.objects.get(username="issuer"),
        carrier="中国邮政EMS",
        tracking_number="EA123",
    )

    step = next_step(as_user(alice), licence.case)
    assert "中国邮政EMS" in step and "EA123" in step, step
