"""The applicant's pages work on a phone: at 390 and 360 px nothing scrolls sideways, each page's main action
and every other button is a full-size tap target, and no input is small enough for iOS to zoom into it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF, HOTEL_FOUR_ITEMS, approve_all, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_start, case_submit

from .conftest import OpenPage, log_in
from .phone import PHONES, phone_problems

pytestmark = pytest.mark.browser

HOTEL_QUERY = "premises_leased=yes&food=breakfast&use_commitment=yes"


@pytest.fixture
def issued(open_page: OpenPage) -> Case:
    """The applicant's hotel case approved by every department; the issuer signs its licence in the browser.

    Signing runs pyHanko's event loop, which cannot run beside Playwright's in this thread: the live
    server signs it, as it does for the issuer.
    """
    applicant = User.objects.get(username="applicant")
    case = case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, applicant)
    case_submit(case=case, user=applicant, key=f"phone-{case.pk}")
    case_accept(case=case, clerk=User.objects.get(username="clerk"))
    approve_all(case)
    issuer = open_page("issuer")
    issuer.goto(f"/licences/issue/{case.pk}/")
    issuer.get_by_role("button", name="签发综合许可证").click()
    expect(issuer).to_have_url(re.compile(r"/licences/\d+/$"))
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("screen", PHONES)
def test_the_applicant_pages_fit_a_phone(
    screen: str, open_page: OpenPage, issued: Case, tmp_path: Path
) -> None:
    scan = tmp_path / "营业场所照片.pdf"
    scan.write_bytes(DEMO_PDF)
    phone = open_page()
    phone.set_viewport_size(PHONES[screen])
    problems: list[str] = []

    def check(action: Locator) -> None:
        problems.extend(phone_problems(phone, action))

    # ---- a visitor: the home page, the hotel plan, its notice and commitment letter, registration
    phone.goto("/")
    check(phone.get_by_role("button", name="搜索"))
    phone.goto("/bundles/hotel/")
    phone.get_by_role("group", name="是否向住客或顾客提供食品？").get_by_text("提供早餐", exact=True).click()
    expect(phone).to_have_url(re.compile(r"food=breakfast"))
    expect(phone.locator("#plan-item-count")).to_have_text("4")
    check(phone.get_by_role("button", name="开始申请"))
    phone.goto(f"/bundles/hotel/notice/?{HOTEL_QUERY}")
    check(phone.get_by_role("button", name="打印告知单"))
    phone.goto(f"/bundles/hotel/commitment/?{HOTEL_QUERY}")
    check(phone.get_by_role("button", name="打印承诺书"))
    phone.goto("/accounts/register/")
    check(phone.get_by_role("button", name="注册并登录"))
    phone.goto("/accounts/login/")
    check(phone.get_by_role("button", name="登录", exact=True))

    # ---- the applicant signs in on the phone and starts a case from the plan's answers
    log_in(phone, "applicant")
    phone.goto(f"/cases/start/?bundle=hotel&{HOTEL_QUERY}")
    start = phone.locator("#start-confirm")
    check(start)
    start.click()
    expect(phone).to_have_url(re.compile(r"/cases/\d+/form/$"))
    expect(phone.locator("#case-status")).to_have_text("草稿")
    started = re.search(r"/cases/(\d+)/form/$", phone.url)
    assert started, phone.url
    draft_url = f"/my/cases/{started.group(1)}/"
    check(phone.get_by_role("button", name="保存并继续：提交材料"))

    phone.get_by_role("navigation", name="申请步骤").get_by_role("link", name=re.compile("提交材料")).click()
    photos = phone.locator("#material-list > li").filter(
        has=phone.get_by_role("heading", name="经营场所门头及内部照片", exact=True)
    )
    check(photos.get_by_role("button", name="上传", exact=True))
    photos.get_by_label("选择文件：经营场所门头及内部照片").set_input_files(scan)
    photos.get_by_role("button", name="上传", exact=True).click()
    expect(phone.locator(".messages")).to_contain_text("已上传")
    check(phone.get_by_role("link", name="下一步：签署承诺书"))

    phone.get_by_role("link", name="下一步：签署承诺书").click()
    check(phone.get_by_role("button", name="签署承诺书"))
    phone.get_by_label("我已阅读并承诺").check()
    phone.get_by_role("button", name="签署承诺书").click()
    expect(phone.locator("#commitment-signed")).to_be_visible()
    check(phone.get_by_role("link", name="下一步：检查并提交"))

    phone.get_by_role("link", name="下一步：检查并提交").click()
    expect(phone.locator("#problems")).to_be_visible()  # the draft's form is not filled in yet
    check(phone.get_by_role("button", name="提交申请"))

    # ---- following the cases: the list, a draft's and the issued case's progress, messages, the licence
    phone.goto("/my/cases/")
    draft_row = phone.locator("#case-list > li").filter(has=phone.locator(f'a[href="{draft_url}"]'))
    check(draft_row.get_by_role("link", name="继续填写"))
    phone.goto(draft_url)
    check(phone.locator("#continue-editing"))
    phone.goto(f"/my/cases/{issued.pk}/")
    expect(phone.locator("#progress-status")).to_have_text("已发证")
    licence_link = phone.get_by_role("link", name=re.compile(r"^查看综合许可证 "))
    check(licence_link)
    licence_number = licence_link.inner_text().split()[-1]
    phone.goto("/my/notifications/")
    check(phone.get_by_role("button", name=re.compile(r"^标为已读")).first)
    phone.goto(f"/my/cases/{issued.pk}/")
    licence_link.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("旅馆业综合许可证")
    check(phone.get_by_role("link", name="查看/下载签章证照（PDF）"))

    # ---- anyone checks the licence on the public verification page
    phone.goto("/licences/verify/")
    phone.get_by_label("电子证照标识、证照编号或许可证号").fill(licence_number)
    phone.get_by_role("button", name="核验").click()
    expect(phone.locator("#verify-state")).to_contain_text("有效")
    check(phone.get_by_role("button", name="核验"))

    assert not problems, "Not fit for a phone:\n" + "\n".join(problems)
