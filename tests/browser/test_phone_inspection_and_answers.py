"""The pages people use on a phone away from a desk fit one: the inspector's list, schedule and shared
checklist in a hotel corridor, the organiser's finishing and re-inspection forms, and the applicant's
answers to a joint inspection's rectification notice, to a department's rectification request and to
the window's supplement request. At 390 and 360 px nothing scrolls sideways, every action is a
full-size tap target and no input is small enough for iOS to zoom into it."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.accounts.models import Role, User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_pause
from onewindow.cases.demo import DEMO_PDF, DEMO_PNG, HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services import case_accept, case_request_supplement, case_start, case_submit
from onewindow.inspections.models import ChecklistEntry, JointInspection
from onewindow.inspections.selectors import schedule_plan
from onewindow.inspections.services import checklist_record

from .conftest import OpenPage, log_in
from .phone import PHONES, phone_problems

pytestmark = pytest.mark.browser

FIRE = "429006-xf"
FINDING = "二楼走廊灭火器压力不足，请更换并补做维护保养记录。"
ASKED = "请补充消防设施维护保养检测报告，并更换过期灭火器。"
SUPPLEMENT_REASON = "平面布局图未标明安全出口和疏散通道，请补充标注后重新上传。"


def submitted_case(applicant: User) -> Case:
    """A four-item hotel case of the applicant's, filled and submitted to the window."""
    case = case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, applicant)
    return case_submit(case=case, user=applicant, key=f"phone-{case.pk}")


def accepted_case(applicant: User) -> Case:
    """A four-item hotel case accepted by the window: its branches are in the departments' queues."""
    return case_accept(case=submitted_case(applicant), clerk=User.objects.get(username="clerk"))


@pytest.fixture
def applicant(seeded_live_server: LiveServer) -> User:
    return User.objects.get(username="applicant")


@pytest.fixture
def to_inspect(applicant: User) -> Case:
    """An accepted case waiting for its joint inspection; every department that must send an
    inspector has one (the demo inspector of 公安局, the lead department, organises)."""
    case = accepted_case(applicant)
    for group in schedule_plan(case):
        if not group.inspectors:
            User.objects.create_user(
                username=f"inspector-{group.department.code}",
                password=DEMO_PASSWORD,
                role=Role.INSPECTOR,
                department=group.department,
                display_name=f"{group.department.short_name}核查员",
            )
    return case


def record_the_rest(inspection: JointInspection) -> None:
    """Every entry not yet recorded passes, recorded by its own department's inspector."""
    entries = ChecklistEntry.objects.filter(
        assignment__inspection=inspection, round=inspection.round, result=""
    ).select_related("assignment")
    for entry in entries:
        checklist_record(entry=entry, inspector=entry.assignment.inspector, result="pass")


def phone_of(open_page: OpenPage, screen: str, username: str) -> Page:
    page = open_page()
    page.set_viewport_size(PHONES[screen])
    log_in(page, username)
    return page


@pytest.mark.parametrize("screen", PHONES)
def test_a_joint_inspection_on_a_phone(
    screen: str, open_page: OpenPage, to_inspect: Case, tmp_path: Path
) -> None:
    photo = tmp_path / "灭火器.png"
    photo.write_bytes(DEMO_PNG)
    report = tmp_path / "灭火器更换记录.pdf"
    report.write_bytes(DEMO_PDF)
    problems: list[str] = []

    def check(page: Page, action: Locator, *more: Locator) -> None:
        problems.extend(phone_problems(page, action, *more))

    # ---- the organiser (公安局's inspector) schedules the visit from his list
    inspector = phone_of(open_page, screen, "inspector")
    inspector.goto("/inspections/")
    waiting = inspector.locator("#awaiting > li").filter(has_text=to_inspect.number).get_by_role("link")
    check(inspector, waiting)
    waiting.click()
    check(inspector, inspector.get_by_role("button", name="安排核查并通知申请人"))
    when = timezone.localtime() + timedelta(days=1)
    inspector.get_by_label("核查时间").fill(when.strftime("%Y-%m-%dT09:30"))
    inspector.get_by_role("button", name="安排核查并通知申请人").click()
    expect(inspector).to_have_url(re.compile(r"/inspections/\d+/$"))
    inspection = JointInspection.objects.get(case=to_inspect)

    # ---- in the corridor: the list, then his own section of the shared checklist
    inspector.goto("/inspections/")
    check(inspector, inspector.locator("#active > li").filter(has_text=to_inspect.number).get_by_role("link"))
    inspector.goto(f"/inspections/{inspection.pk}/")
    mine = inspector.locator(".dept-section.mine")
    first = mine.locator("li.entry").first
    check(inspector, first.get_by_role("button", name="保存第1项"), inspector.locator(".jump a").first)
    first.get_by_text("不合格", exact=True).click()
    first.get_by_role("textbox").fill(FINDING)
    first.locator("input[type=file]").set_input_files(photo)
    first.get_by_role("button", name="保存第1项").click()
    expect(inspector.locator(".messages")).to_contain_text("已保存")
    check(inspector, first.get_by_role("button", name="保存第1项"), first.locator(".photos a").first)

    # ---- every other entry passes; the organiser finishes and the notice goes out
    record_the_rest(inspection)
    inspector.reload()
    check(inspector, inspector.get_by_role("button", name="结束核查"))
    inspector.get_by_role("button", name="结束核查").click()
    expect(inspector.locator(".messages")).to_contain_text("已出具整改通知书")
    check(
        inspector, inspector.get_by_role("link", name="下载（PDF）"), inspector.locator("#organise summary")
    )

    # ---- the applicant reads the notice on his phone and reports the rectification
    applicant = phone_of(open_page, screen, "applicant")
    applicant.goto(f"/my/cases/{to_inspect.pk}/")
    rectification = applicant.get_by_role("link", name="联合核查与整改")
    check(applicant, rectification)
    rectification.click()
    check(
        applicant,
        applicant.get_by_role("button", name="提交整改报告"),
        applicant.locator("#notice-pdf"),
        applicant.get_by_role("link", name="办件进度"),
    )
    applicant.get_by_label("整改情况", exact=True).fill("已更换二楼走廊灭火器，维护保养记录见附件。")
    applicant.get_by_label("整改照片或证明材料").set_input_files(report)
    applicant.get_by_role("button", name="提交整改报告").click()
    expect(applicant.locator(".messages")).to_contain_text("整改情况已报告")
    check(applicant, applicant.locator("#report a").first, applicant.locator("#notice-pdf"))

    # ---- the organiser arranges the re-inspection
    inspector.reload()
    check(
        inspector,
        inspector.get_by_role("button", name="安排复查"),
        inspector.get_by_role("link", name="灭火器更换记录.pdf"),
    )

    assert not problems, "Not fit for a phone:\n" + "\n".join(problems)


@pytest.mark.parametrize("screen", PHONES)
def test_the_applicant_answers_requests_on_a_phone(
    screen: str, open_page: OpenPage, applicant: User, tmp_path: Path
) -> None:
    scan = tmp_path / "检测报告.pdf"
    scan.write_bytes(DEMO_PDF)
    paused = Branch.objects.get(case=accepted_case(applicant), department__code=FIRE)
    branch_pause(
        branch_id=paused.pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        reason="rectification",
        note=ASKED,
    )
    returned = submitted_case(applicant)
    layout = returned.materials.get(
        material__name="经营场所平面布局图", disposition=CaseMaterial.Disposition.UPLOAD
    )
    case_request_supplement(
        case=returned,
        clerk=User.objects.get(username="clerk"),
        entries=[{"material": layout.material.code, "reason": SUPPLEMENT_REASON}],
    )
    problems: list[str] = []

    def check(action: Locator, *more: Locator) -> None:
        problems.extend(phone_problems(phone, action, *more))

    phone = phone_of(open_page, screen, "applicant")

    # ---- a department asked for rectification: the answer with a report attached
    phone.goto(f"/my/cases/{paused.case_id}/")
    check(phone.get_by_role("link", name="答复整改要求"))
    phone.get_by_role("link", name="答复整改要求").click()
    check(phone.get_by_role("button", name="提交答复"), phone.get_by_role("link", name="办件进度"))
    phone.get_by_label("答复内容").fill("已更换灭火器，检测报告见附件。")
    phone.locator("#id_attachments").set_input_files(scan)
    phone.get_by_role("button", name="提交答复").click()
    expect(phone.locator(".messages")).to_contain_text("答复已提交")
    check(phone.get_by_role("link", name="补充答复"))
    phone.get_by_role("link", name="补充答复").click()
    expect(phone.locator("#replies")).to_contain_text("已更换灭火器")
    check(phone.get_by_role("button", name="提交答复"), phone.locator("#replies a").first)

    # ---- the window asked for a supplement: the list, the material to replace, the resubmission
    phone.goto(f"/my/cases/{returned.pk}/")
    check(
        phone.locator("#continue-editing"),
        phone.locator("#notices").get_by_role("link", name=re.compile("^补正材料通知书")),
        phone.get_by_role("link", name="更换材料"),
    )
    phone.get_by_role("link", name="更换材料").click()
    layout_row = phone.locator(f"#material-{layout.material.code}")
    replace = layout_row.get_by_role("button", name="上传并替换")
    banner = phone.locator("#supplement-banner a")
    check(replace, banner.first, banner.last)
    layout_row.get_by_label(re.compile("^更换文件")).set_input_files(scan)
    replace.click()
    expect(phone.locator(".messages")).to_contain_text("已上传")
    phone.goto(f"/cases/{returned.pk}/submit/")
    check(phone.get_by_role("button", name="重新提交"))

    assert not problems, "Not fit for a phone:\n" + "\n".join(problems)
