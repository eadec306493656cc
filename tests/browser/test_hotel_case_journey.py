"""Issue 3, done when (browser half): a hotel case with four items goes from submission
through one supplement round and one dependency to all approved, each step as its person sees it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.cases.demo import DEMO_PDF
from onewindow.catalog.models import Department

from .conftest import OpenPage

pytestmark = pytest.mark.browser


SPECIAL_TRADE = "旅馆业特种行业许可证核发"
FIRE = "公众聚集场所投入使用、营业前消防安全检查"
HYGIENE = "公共场所卫生许可"
FOOD = "食品经营许可"

# The four-item plan (food=breakfast, premises_leased=yes, use_commitment=yes in hotel.yaml).
UPLOADS = [
    "申请书（申请表）",
    "房屋租赁合同及出租方产权证明",
    "经营场所地理位置示意图",
    "经营场所门头及内部照片",
    "经营场所平面布局图",
    "从业人员及治安保卫人员名册",
    "治安管理信息系统和视频监控安装证明",
    "消防安全制度",
    "灭火和应急疏散预案",
    "从业人员健康合格证明",
    "食品经营设备设施清单及操作流程",
    "食品安全规章制度目录清单",
    "食品安全管理人员任命文件及考核证明",
]
SHARED = ["营业执照", "法定代表人（负责人）身份证明"]
SUPPLEMENT_MATERIAL = "经营场所平面布局图"
SUPPLEMENT_REASON = "平面布局图未标明安全出口和疏散通道，请补充标注后重新上传。"

# The merged form, as the applicant fills it: text inputs, then the choices.
TEXT_FIELDS = {
    "联系人": "张三",
    "联系人手机号码": "13800138000",
    "经营场所建筑面积": "1200",
    "使用楼层": "1—6层",
    "客房数量（间）": "60",
    "床位数量（张）": "100",
    "从业人员人数": "30",
    "治安保卫负责人": "王五",
    "治安保卫人员人数": "3",
    "视频监控摄像头数量": "40",
    "拟开业日期": "2026-12-01",
    "场所最大容纳人数": "200",
    "消防安全责任人": "张三",
    "消防安全管理人": "李四",
    "设有的消防设施": "火灾自动报警系统、自动喷水灭火系统、室内消火栓",
    "卫生管理人员": "赵六",
    "取得健康合格证明的从业人员人数": "30",
    "公共用品用具消毒间面积": "20",
    "经营项目": "热食类食品制售",
    "食品加工制作或销售区域面积": "80",
    "食品安全管理人员": "钱七",
}
CHOICE_FIELDS = {"旅馆类型": "宾馆（酒店）", "建筑结构": "钢筋混凝土结构", "主体业态": "餐饮服务经营者"}


def field(page: Page, label: str) -> Locator:
    """A form input by its visible label, which ends in （必填） or （选填）."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}\s*（[必选]填）$"))


def expect_saved(page: Page, label: str) -> None:
    """Wait for the field's own "✓ 已保存": the autosave came back and found the value valid."""
    expect(page.locator(".form-row").filter(has=field(page, label))).to_contain_text("✓ 已保存")


def fill_and_autosave(page: Page, label: str, value: str) -> None:
    """Type a value and leave the field, then wait for its autosave.

    One autosave at a time: the live server's in-memory SQLite test database is one shared
    connection, which concurrent requests would find locked.
    """
    input_ = field(page, label)
    input_.fill(value)
    if input_.get_attribute("type") != "date":  # fill() already sends a date input's change event
        input_.blur()
    expect_saved(page, label)


def messages(page: Page) -> Locator:
    return page.locator(".messages")


def material_item(page: Page, name: str) -> Locator:
    return page.locator("#material-list > li").filter(has=page.get_by_role("heading", name=name, exact=True))


def open_from_window_queue(page: Page, number: str) -> None:
    """As the clerk: the case waits in the 待受理 queue under its number; open it."""
    page.goto("/window/")
    expect(page.get_by_role("link", name="待受理", exact=True)).to_have_attribute("aria-current", "page")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("天门市悦来宾馆有限公司")
    row.get_by_role("link", name=number, exact=True).click()
    expect(page.locator("#case-number")).to_have_text(number)


def approve_branch(page: Page, number: str, item: str) -> str:
    """As a department reviewer: open the case's branch from the queue, approve it, return the permit number."""
    page.goto("/review/")
    row = page.get_by_role("row").filter(has_text=number).filter(has_text=item)
    expect(row).to_contain_text("审批中")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item)
    page.locator("#decide").get_by_role("button", name="准予许可").click()
    expect(messages(page)).to_contain_text("已准予许可，许可证号")
    decision = page.get_by_role("region", name="审批决定")
    expect(decision).to_contain_text("准予许可")
    permit = messages(page).inner_text()
    found = re.search(r"许可证号 (\S+?)。", permit)
    assert found, permit
    return found.group(1)


def department_reviewer(username: str, department_code: str, display_name: str) -> None:
    """The fixed cast covers 公安 and 消防; the other departments' reviewers are made here."""
    reviewer = User.objects.create(
        username=username,
        role=Role.REVIEWER,
        department=Department.objects.get(code=department_code),
        display_name=display_name,
    )
    reviewer.set_password(DEMO_PASSWORD)
    reviewer.save(update_fields=["password"])


def test_hotel_case_with_four_items_from_submission_through_supplement_and_dependency_to_all_approved(
    open_page: OpenPage, tmp_path: Path
) -> None:
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(DEMO_PDF)
    rescan = tmp_path / "平面布局图-补正.pdf"
    rescan.write_bytes(DEMO_PDF.replace(b"595 842", b"842 595"))
    representative_id = Enterprise.objects.get(name="天门市悦来宾馆有限公司").legal_representative_id

    # ---- applicant: answers for four items, then 开始申请 from the bundle page
    applicant = open_page("applicant")
    applicant.goto("/bundles/hotel/")
    applicant.get_by_role("group", name="是否向住客或顾客提供食品？").get_by_text(
        "提供早餐", exact=True
    ).click()
    expect(applicant).to_have_url(re.compile(r"food=breakfast"))
    applicant.get_by_role("group", name="经营场所是否为租赁？").get_by_text("是", exact=True).click()
    expect(applicant).to_have_url(re.compile(r"premises_leased=yes"))
    applicant.get_by_role("group", name="是否选择告知承诺方式办理？").get_by_text("是", exact=True).click()
    expect(applicant).to_have_url(re.compile(r"use_commitment=yes"))
    expect(applicant.locator("#plan-item-count")).to_have_text("4")
    expect(applicant.locator("#plan-upload-count")).to_have_text(str(len(UPLOADS)))
    applicant.get_by_role("button", name="开始申请").click()

    # ---- the merged form: the enterprise's own data is filled in already
    expect(applicant).to_have_url(re.compile(r"/cases/\d+/form/$"))
    expect(messages(applicant)).to_contain_text("申请已创建")
    expect(applicant.locator("#case-status")).to_have_text("草稿")
    expect(applicant.locator("#case-number")).to_have_text("草稿（提交后生成办件编号）")
    expect(applicant.get_by_role("heading", name="一表申请（29 项）")).to_be_visible()
    expect(field(applicant, "单位名称")).to_have_value("天门市悦来宾馆有限公司")
    expect(field(applicant, "法定代表人（负责人）")).to_have_value("张三")
    fill_and_autosave(applicant, "法定代表人身份证号码", representative_id)
    expect(applicant.locator("#autosave-status")).to_contain_text("已自动保存")
    for label, value in TEXT_FIELDS.items():
        fill_and_autosave(applicant, label, value)
    for label, value in CHOICE_FIELDS.items():
        field(applicant, label).select_option(value)
        expect_saved(applicant, label)
    applicant.get_by_role("button", name="保存并继续：提交材料").click()

    # ---- materials: every upload once, government-held licences from the library, the rest by commitment
    expect(applicant).to_have_url(re.compile(r"/cases/\d+/materials/"))
    expect(messages(applicant)).to_contain_text("申请表已保存")
    expect(applicant.get_by_role("heading", name="材料清单（每份只交一次，22 份）")).to_be_visible()
    uploads = applicant.locator('#material-list > li[data-disposition="upload"] h3')
    assert uploads.all_inner_texts() == UPLOADS
    expect(applicant.locator('#material-list > li[data-disposition="commitment"]')).to_have_count(7)
    for name in UPLOADS:
        item = material_item(applicant, name)
        expect(item).to_contain_text("未提交")
        item.get_by_label(f"选择文件：{name}").set_input_files(scan)
        item.get_by_role("button", name="上传", exact=True).click()
        expect(messages(applicant)).to_have_text(f"“{name}”已上传（扫描件.pdf）。")
        expect(material_item(applicant, name)).to_contain_text("已提交")
    for name in SHARED:
        material_item(applicant, name).get_by_role("button", name="从电子证照库调取").click()
        expect(messages(applicant)).to_contain_text(f"“{name}”已从电子证照库调取（证照标识")
        expect(material_item(applicant, name)).to_contain_text("已从电子证照库调取")

    # ---- one commitment letter, then submit
    applicant.get_by_role("link", name="下一步：签署承诺书").click()
    expect(applicant.locator("#commitment-text")).to_contain_text("天门市悦来宾馆有限公司")
    applicant.get_by_label("我已阅读并承诺").check()
    applicant.get_by_role("button", name="签署承诺书").click()
    expect(messages(applicant)).to_contain_text("告知承诺书已签署。")
    expect(applicant.locator("#commitment-signed")).to_contain_text("张三")
    applicant.get_by_role("link", name="下一步：检查并提交").click()
    expect(applicant.locator("#ready")).to_have_text("申请表、材料和承诺书都已齐全，可以提交。")
    applicant.get_by_role("button", name="提交申请").click()
    expect(applicant).to_have_url(re.compile(r"/my/cases/\d+/$"))
    submitted = re.search(r"办件编号 (\d+)", messages(applicant).inner_text())
    assert submitted, messages(applicant).inner_text()
    number = submitted.group(1)
    expect(applicant.locator("#case-number")).to_have_text(number)
    expect(applicant.locator("#progress-status")).to_have_text("待受理")
    case_url = applicant.url

    # ---- clerk: one supplement request, with its reason
    clerk = open_page("clerk")
    open_from_window_queue(clerk, number)
    expect(clerk.locator("#result")).to_contain_text("待受理")
    expect(clerk.locator("#review-signature")).to_contain_text("张三")
    supplement = clerk.get_by_role("group", name=SUPPLEMENT_MATERIAL)
    supplement.get_by_role("checkbox").check()
    supplement.get_by_label("补正原因").fill(SUPPLEMENT_REASON)
    clerk.get_by_role("button", name="一次告知补正").click()
    expect(messages(clerk)).to_have_text("已一次告知 1 项补正内容，补正材料通知书已生成。")
    expect(clerk.locator("#result")).to_contain_text("待补正")
    expect(clerk.locator(f"#review-materials tr:has-text('{SUPPLEMENT_MATERIAL}')")).to_contain_text("需补正")

    # ---- applicant: the notice, the message, the replaced material, resubmission
    applicant.goto("/my/notifications/")
    expect(applicant.locator("#notifications")).to_contain_text(f"您的办件 {number} 需补正 1 项")
    applicant.goto("/my/cases/")
    case_row = applicant.locator("#case-list > li").filter(has_text=number)
    expect(case_row).to_contain_text("待补正")
    case_row.get_by_role("link", name="查看补正要求").click()
    expect(applicant.locator("#progress-status")).to_have_text("待补正")
    expect(applicant.locator("#supplement")).to_contain_text("需要补正的内容（共 1 项")
    expect(applicant.locator("#supplement-list")).to_contain_text(
        f"{SUPPLEMENT_MATERIAL}：{SUPPLEMENT_REASON}"
    )
    notice_href = applicant.get_by_role("link", name=re.compile(r"^补正材料通知书 .*（PDF）$")).get_attribute(
        "href"
    )
    assert notice_href
    notice = applicant.request.get(notice_href)
    assert notice.ok, notice.status
    assert notice.body().startswith(b"%PDF")
    applicant.locator("#supplement-list").get_by_role("link", name="更换材料").click()
    item = material_item(applicant, SUPPLEMENT_MATERIAL)
    expect(item).to_contain_text("需补正")
    expect(item).to_contain_text(f"补正原因：{SUPPLEMENT_REASON}")
    expect(applicant.locator("#supplement-banner")).to_contain_text("需补正的 1 项内容")
    item.get_by_label(f"更换文件：{SUPPLEMENT_MATERIAL}").set_input_files(rescan)
    item.get_by_role("button", name="上传并替换").click()
    expect(messages(applicant)).to_have_text(f"“{SUPPLEMENT_MATERIAL}”已上传（平面布局图-补正.pdf）。")
    expect(material_item(applicant, SUPPLEMENT_MATERIAL)).not_to_contain_text("需补正")
    applicant.get_by_role("navigation", name="申请步骤").get_by_role(
        "link", name=re.compile("检查并提交")
    ).click()
    expect(applicant.get_by_role("heading", name="检查并重新提交")).to_be_visible()
    applicant.get_by_role("button", name="重新提交").click()
    expect(messages(applicant)).to_contain_text(f"申请已提交，办件编号 {number}。")
    expect(applicant.locator("#progress-status")).to_have_text("待受理")
    expect(applicant.locator("#timeline")).to_contain_text("补正后重新提交")

    # ---- clerk: accept; the case fans out to four departments
    open_from_window_queue(clerk, number)
    expect(clerk.locator("#review-materials")).to_contain_text("平面布局图-补正.pdf")
    clerk.get_by_role("button", name="受理", exact=True).click()
    expect(messages(clerk)).to_have_text(f"办件 {number} 已受理，已分送各部门并联审批；受理通知书已生成。")
    expect(clerk.locator("#result")).to_contain_text("并联审批中")
    expect(clerk.get_by_role("link", name="受理通知书（PDF）")).to_be_visible()

    # ---- 公安: the special-trade branch waits for the fire-safety result
    police = open_page("reviewer")
    police.goto("/review/")
    police_row = police.get_by_role("row").filter(has_text=number)
    expect(police_row).to_contain_text(SPECIAL_TRADE)
    expect(police_row).to_contain_text("等待前置审批")
    police_row.get_by_role("link", name=number).click()
    branch_url = police.url
    prerequisite = police.get_by_role("region", name=re.compile(rf"^前置审批结果：{FIRE}（.*消防救援大队）$"))
    expect(prerequisite).to_contain_text("尚未作出决定")
    expect(police.get_by_text("该子件在等待前置审批结果")).to_be_visible()
    expect(police.locator("#decide")).to_have_count(0)

    # ---- 消防: approve the prerequisite
    fire = open_page("reviewer_fire")
    fire_permit = approve_branch(fire, number, FIRE)

    # ---- 公安: sees the fire-safety result beside its own branch, and approves
    police.goto(branch_url)
    expect(prerequisite).to_contain_text(f"准予许可 许可证号 {fire_permit}")
    others = police.get_by_role("region", name="同一办件其他事项的审批情况")
    expect(others.get_by_role("row").filter(has_text=FIRE)).to_contain_text(fire_permit)
    expect(police.get_by_role("heading", level=1)).to_have_text(SPECIAL_TRADE)
    police.locator("#decide").get_by_role("button", name="准予许可").click()
    expect(messages(police)).to_contain_text("已准予许可，许可证号")

    # ---- 卫健委 and 市场监管局: reviewers made for this journey approve their items
    department_reviewer("reviewer_wj", "429006-wj", "钱卫（卫健委）")
    department_reviewer("reviewer_scjg", "429006-scjg", "孙检（市场监管局）")
    approve_branch(open_page("reviewer_wj"), number, HYGIENE)
    approve_branch(open_page("reviewer_scjg"), number, FOOD)

    # ---- applicant: every department done, waiting for the comprehensive licence
    applicant.goto(case_url)
    expect(applicant.locator("#progress-status")).to_have_text("待发证")
    expect(applicant.locator("#case-number")).to_have_text(number)
    expect(applicant.locator("#next-step")).to_contain_text("所有事项均已准予许可")
    branches = applicant.locator("#branches > li")
    expect(branches).to_have_count(4)
    expect(applicant.locator('#branches > li[data-status="approved"]')).to_have_count(4)
    for name, department in [
        (SPECIAL_TRADE, "天门市公安局"),
        (FIRE, "天门市消防救援大队"),
        (HYGIENE, "天门市卫生健康委员会"),
        (FOOD, "天门市市场监督管理局"),
    ]:
        branch = branches.filter(has=applicant.get_by_role("heading", name=name, exact=True))
        expect(branch).to_contain_text(department)
        expect(branch).to_contain_text("准予许可")
        expect(branch).to_contain_text("许可证号")
    expect(branches.filter(has_text=FIRE)).to_contain_text(fire_permit)
    expect(applicant.locator("#timeline")).to_contain_text("全部事项审批完成")
