"""Issue 2, done when: a visitor answers the hotel questionnaire and watches the plan, the notice and its PDF follow."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

BASE_ITEMS = ["旅馆业特种行业许可证核发", "公众聚集场所投入使用、营业前消防安全检查", "公共场所卫生许可"]
OPTIONAL_ITEMS = [
    "食品经营许可",
    "特种设备使用登记",
    "烟草专卖零售许可证核发",
    "经营高危险性体育项目许可（游泳）",
    "娱乐场所经营许可",
    "城镇污水排入排水管网许可",
]


def question(page: Page, text: str) -> Locator:
    return page.get_by_role("group", name=text)


def choose(page: Page, question_text: str, option: str, expected_query: str) -> None:
    """Click an option's label, then wait until htmx has swapped the plan and the address bar follows."""
    question(page, question_text).get_by_text(option, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(expected_query)))


def plan_item_names(page: Page) -> list[str]:
    return page.locator("#plan-items > li h4").all_inner_texts()


def test_answers_change_the_plan_and_the_notice_follows(page: Page) -> None:
    page.goto("/bundles/hotel/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("旅馆")
    item_count = page.locator("#plan-item-count")
    upload_count = page.locator("#plan-upload-count")

    # No answers: only the three items every hotel needs.
    expect(item_count).to_have_text("3")
    expect(upload_count).to_have_text("16")
    assert plan_item_names(page) == BASE_ITEMS
    expect(page.locator("#plan-unanswered")).to_contain_text("还有 10 个问题未回答")

    # Breakfast brings the food business licence and its three materials.
    question(page, "是否向住客或顾客提供食品？").get_by_text("提供早餐", exact=True).click()
    expect(item_count).to_have_text("4")
    expect(upload_count).to_have_text("19")
    assert plan_item_names(page) == [*BASE_ITEMS, "食品经营许可"]
    expect(page.locator("#plan-status")).to_have_text(
        re.compile(r"^清单已更新：需办理 4 个事项，涉及 4 个部门")
    )
    expect(page).to_have_url(re.compile(r"/bundles/hotel/\?food=breakfast$"))

    # Leased premises: the lease contract is to be uploaded; the item list stays the same.
    choose(page, "经营场所是否为租赁？", "是", "premises_leased=yes")
    expect(upload_count).to_have_text("20")
    expect(page.locator("#materials-upload")).to_contain_text("房屋租赁合同及出租方产权证明")
    expect(item_count).to_have_text("4")

    # Every other optional answer yes, one by one.
    choose(page, "是否向住客或顾客提供食品？", "提供正餐（设餐厅）", "food=meals")
    choose(page, "是否销售卷烟、雪茄烟等烟草制品？", "是", "sells_cigarettes=yes")
    expect(item_count).to_have_text("5")
    choose(page, "是否使用电梯或锅炉？", "是", "lifts_or_boilers=yes")
    expect(item_count).to_have_text("6")
    choose(page, "是否设有对外开放的游泳池？", "是", "pool=yes")
    expect(item_count).to_have_text("7")
    choose(page, "是否设有KTV、歌舞厅或游艺厅等娱乐场所？", "是", "entertainment=yes")
    expect(item_count).to_have_text("8")
    choose(page, "是否使用集中空调通风系统？", "是", "central_ac=yes")
    expect(page.locator("#materials-upload")).to_contain_text("集中空调通风系统卫生检测（评价）报告")
    discharge = page.get_by_label("每天向市政排水管网排放多少污水？")
    discharge.fill("5")  # typing updates the plan after a pause ...
    expect(item_count).to_have_text("9")
    expect(page).to_have_url(re.compile(r"daily_discharge=5"))
    with page.expect_response(re.compile(r"/bundles/hotel/plan/")):
        discharge.press(
            "Tab"
        )  # ... and leaving the field once more: one request at a time for the test server
    choose(page, "是否委托他人代为办理？", "是", "by_agent=yes")
    expect(upload_count).to_have_text("36")
    choose(page, "是否选择告知承诺方式办理？", "是", "use_commitment=yes")

    # The reform's figures: 9 items of 8 departments, 83 materials down to 26 uploads.
    expect(item_count).to_have_text("9")
    expect(upload_count).to_have_text("26")
    expect(page.locator("#plan-department-count")).to_have_text("8")
    expect(page.locator("#plan-materials-before")).to_have_text("83")
    expect(page.locator("#plan-shared-count")).to_have_text("2")
    expect(page.locator("#plan-commitment-count")).to_have_text("10")
    expect(page.locator("#plan-unanswered")).to_have_count(0)
    assert plan_item_names(page) == BASE_ITEMS + OPTIONAL_ITEMS
    expect(page.locator("#materials-upload > li")).to_have_count(26)
    expect(page.locator("#plan-status")).to_have_text(
        re.compile(r"^清单已更新：需办理 9 个事项，涉及 8 个部门，需提交 26 份材料")
    )

    # The PDF of the same notice, fetched with the page's cookies.
    pdf_href = page.get_by_role("link", name="下载告知单 PDF").get_attribute("href")
    assert pdf_href is not None
    assert "use_commitment=yes" in pdf_href
    response = page.request.get(pdf_href)
    assert response.ok, response.status
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # 一单告知: every item with its conditions, the answers, and the checklist.
    page.get_by_role("link", name="查看一单告知").click()
    expect(page).to_have_url(re.compile(r"/bundles/hotel/notice/\?.*use_commitment=yes"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("一单告知")
    expect(page.get_by_role("article")).to_contain_text("需办理 9 个事项，涉及 8 个部门")
    expect(page.get_by_role("article")).to_contain_text("申请材料由 83 份减为 26 份")
    for number, name in enumerate(BASE_ITEMS + OPTIONAL_ITEMS, start=1):
        expect(page.get_by_role("heading", name=f"{number}. {name}", exact=True)).to_be_visible()
    answers = page.locator("#notice-answers")
    expect(answers.get_by_role("row", name="是否向住客或顾客提供食品？")).to_contain_text(
        "提供正餐（设餐厅）"
    )
    expect(answers.get_by_role("row", name="每天向市政排水管网排放多少污水？")).to_contain_text("5 吨/日")
    expect(page.get_by_role("heading", name="三、申请材料清单")).to_be_visible()
    expect(page.get_by_role("heading", name="需提交（26）")).to_be_visible()
    expect(page.get_by_role("heading", name="部门共享调取（2）")).to_be_visible()
    expect(page.get_by_role("heading", name="告知承诺替代（10）")).to_be_visible()
    uploads = page.locator("#notice-materials-upload tbody tr")
    expect(uploads).to_have_count(26)
    expect(uploads.first).to_contain_text("申请书（申请表）")
    expect(page.locator("#notice-materials-shared")).to_contain_text("营业执照")
    expect(page.get_by_role("link", name="下载 PDF")).to_have_attribute("href", pdf_href)
