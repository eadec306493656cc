"""The staff desks work on a phone and on a tablet, as township hall staff and supervisors use them: the
window clerk's queue, case review and accept / supplement / refuse forms, the reviewer's queue, branch
and decision forms with an extension decided by a supervisor, and the issuer's queue, issue page and
the window handover of a licence. At 390 px, on a tablet held upright (768 px) and on one held sideways
(1180 px, a touch screen) nothing scrolls sideways, every action is a full-size tap target, no input
is small enough for iOS to zoom into it, and every table can be read (cards that say what each value
is on a phone, no caption or column squeezed to a character or two a line)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, expect
from pytest_django.live_server_helper import LiveServer

from onewindow.accounts.models import User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_approve
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, approve_all, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_start, case_submit
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import delivery_choose

from .conftest import OpenPage, log_in
from .phone import PHONES, TABLETS, TOUCH_TABLETS, phone_problems, table_problems, touch_screen

pytestmark = pytest.mark.browser

SCREENS = {"390px": PHONES["390px"], **TABLETS}
FIRE = "429006-xf"
POLICE = "429006-ga"  # its special trade licence waits for the fire safety check
SUPPLEMENT_MATERIAL = "floor_plan"  # 经营场所平面布局图
SUPPLEMENT_REASON = "平面布局图未标明安全出口和疏散通道，请补充标注后重新上传。"


def submitted_case(applicant: User) -> Case:
    """A four-item hotel case of the applicant's, filled and submitted to the window."""
    case = case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, applicant)
    return case_submit(case=case, user=applicant, key=f"desk-{case.pk}")


@pytest.fixture
def applicant(seeded_live_server: LiveServer) -> User:
    return User.objects.get(username="applicant")


class Desk:
    """One staff member's browser on the given screen, and what it found wrong so far."""

    def __init__(self, open_page: OpenPage, screen: str, username: str) -> None:
        self.page = open_page()
        self.page.set_viewport_size(SCREENS[screen])
        if screen in TOUCH_TABLETS:
            touch_screen(self.page)
        log_in(self.page, username)
        self.problems: list[str] = []

    def check(self, action: Locator, *more: Locator) -> None:
        self.problems.extend(phone_problems(self.page, action, *more))
        self.problems.extend(table_problems(self.page))


def fits(*desks: Desk) -> str:
    return "Not fit for a phone or tablet:\n" + "\n".join(p for desk in desks for p in desk.problems)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_window_desk_on_a_phone_or_tablet(screen: str, open_page: OpenPage, applicant: User) -> None:
    incomplete, complete = submitted_case(applicant), submitted_case(applicant)
    clerk = Desk(open_page, screen, "clerk")
    page = clerk.page

    # ---- the queue: its tabs, and each waiting case's number opens it
    page.goto("/window/")
    row = page.locator(f'#queue tr[data-case="{incomplete.pk}"]')
    clerk.check(row.get_by_role("link", name=incomplete.number), page.locator("#queue-tabs a").first)
    row.get_by_role("link", name=incomplete.number).click()

    # ---- the case: jump to the conclusion, open a material, ask for a supplement once
    expect(page.locator("#case-number")).to_have_text(str(incomplete.number))
    material = page.locator(f"#review-material-{SUPPLEMENT_MATERIAL}")
    clerk.check(
        page.get_by_role("link", name="跳到审查结论"),
        material.get_by_role("link", name="打开"),
        page.locator("#accept"),
    )
    page.get_by_role("link", name="跳到审查结论").click()
    clerk.check(
        page.locator(f'label[for="material-{SUPPLEMENT_MATERIAL}"]'),
        page.locator("#request-supplement"),
        page.locator("#refuse"),
    )
    page.locator(f"#material-{SUPPLEMENT_MATERIAL}").check()
    page.locator(f"#reason-{SUPPLEMENT_MATERIAL}").fill(SUPPLEMENT_REASON)
    page.locator("#request-supplement").click()
    expect(page.locator(".messages")).to_contain_text("补正材料通知书已生成")
    expect(page.locator("#case-status")).to_have_text("待补正")
    clerk.check(page.locator("#notices a").first, page.locator(".breadcrumb-like a").first)

    # ---- back in the queue, the supplement tab lists it; the complete case is accepted
    page.locator(".breadcrumb-like").get_by_role("link", name="受理队列").click()
    page.locator("#queue-tabs").get_by_role("link", name="待补正").click()
    clerk.check(page.locator(f'#queue tr[data-case="{incomplete.pk}"]').get_by_role("link"))
    page.goto(f"/window/cases/{complete.pk}/")
    page.locator("#accept").click()
    expect(page.locator(".messages")).to_contain_text("已受理")
    clerk.check(page.locator("#notice-acceptance"))

    # ---- filing on an applicant's behalf: the bundle, then who and the scenario questions
    page.goto("/window/assist/")
    clerk.check(page.get_by_role("button", name="选择"))
    page.get_by_label("一业一证主题").select_option(label="旅馆业“一业一证”")
    page.get_by_role("button", name="选择").click()
    clerk.check(page.locator("#assist-start"))

    assert not clerk.problems, fits(clerk)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_review_desk_on_a_phone_or_tablet(screen: str, open_page: OpenPage, applicant: User) -> None:
    case = case_accept(case=submitted_case(applicant), clerk=User.objects.get(username="clerk"))
    fire = Branch.objects.get(case=case, department__code=FIRE)
    branch_approve(
        branch_id=fire.pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        permit_number="",
        valid_until=None,
    )
    branch = Branch.objects.get(case=case, department__code=POLICE)
    reviewer = Desk(open_page, screen, "reviewer")
    page = reviewer.page

    # ---- the queue: status tabs, filters, and the branch's case number opens it
    page.goto("/review/")
    row = page.get_by_role("row").filter(has_text=case.number)
    reviewer.check(row.get_by_role("link", name=case.number), page.get_by_role("button", name="筛选"))
    row.get_by_role("link", name=case.number).click()

    # ---- the branch, after its prerequisite's result: ask for an extension (decided by the supervisor)
    decide = page.locator("#decide")
    extend = decide.locator("details").filter(has=page.get_by_text("申请延长审批期限", exact=True))
    extend.locator("summary").click()
    reviewer.check(extend.locator("summary"), extend.get_by_role("button", name="申请延长审批期限"))
    extend.get_by_label("延期理由").fill("需组织专家对消防设施进行论证。")
    extend.get_by_label("审批人").select_option(label="郑华（督查室） · 督查/管理")
    extend.get_by_role("button", name="申请延长审批期限").click()
    expect(page.locator(".messages")).to_contain_text("延期申请已提交")

    supervisor = Desk(open_page, screen, "supervisor")
    supervisor.page.goto("/review/extensions/")
    card = supervisor.page.locator(f"#extension-{branch.extensions.get().pk}-card")
    supervisor.check(
        card.get_by_role("button", name="批准延期"),
        card.get_by_role("button", name="不批准"),
        card.get_by_role("link", name="查看办件进度"),
    )
    card.get_by_role("button", name="批准延期").click()
    expect(supervisor.page.locator(".messages")).to_contain_text("已批准延期")
    supervisor.page.goto("/review/calendar/")
    supervisor.check(supervisor.page.get_by_role("navigation", name="审批工作").get_by_role("link").first)

    # ---- back at the branch: approve it; the decision's PDF is one tap away
    page.reload()
    approve = decide.locator("details").filter(has=page.get_by_text("准予许可", exact=True)).first
    reviewer.check(
        approve.locator("summary"),
        approve.get_by_role("button", name="准予许可"),
        page.get_by_role("navigation", name="当前位置").get_by_role("link"),
    )
    approve.get_by_role("button", name="准予许可").click()
    expect(page.locator(".messages")).to_contain_text("已准予许可")
    reviewer.check(page.get_by_role("link", name="下载准予行政许可决定书（PDF）"))

    assert not reviewer.problems and not supervisor.problems, fits(reviewer, supervisor)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_licence_desk_on_a_phone_or_tablet(screen: str, open_page: OpenPage, applicant: User) -> None:
    case = case_accept(case=submitted_case(applicant), clerk=User.objects.get(username="clerk"))
    approve_all(case)
    issuer = Desk(open_page, screen, "issuer")
    page = issuer.page

    # ---- the queue: each approved case has its issue action; the issue page signs the licence
    page.goto("/licences/issue/")
    row = page.get_by_role("row").filter(has_text=case.number)
    issuer.check(
        row.get_by_role("link", name="办理发证"), row.get_by_role("link", name=case.number, exact=True)
    )
    row.get_by_role("link", name="办理发证").click()
    issuer.check(
        page.get_by_role("button", name="签发综合许可证"),
        page.get_by_role("navigation", name="当前位置").get_by_role("link"),
    )
    page.get_by_role("button", name="签发综合许可证").click()
    expect(page).to_have_url(re.compile(r"/licences/\d+/$"))
    licence = ComprehensiveLicense.objects.get(case=case)
    issuer.check(
        page.get_by_role("link", name="查看/下载签章证照（PDF）"), page.locator("#manage summary").first
    )

    # ---- the holder comes to the window with his pickup code: found, checked, handed over
    pickup_code = delivery_choose(licence=licence, user=applicant, method="pickup").pickup_code
    assert pickup_code
    page.goto("/licences/issued/")
    issuer.check(page.get_by_role("button", name="查找"), page.get_by_label("查找证照"))
    page.get_by_label("查找证照").fill(licence.number)
    page.get_by_role("button", name="查找").click()
    row = page.get_by_role("row").filter(has_text=licence.number)
    issuer.check(row.get_by_role("link", name=f"打开证照：{licence.number}"))
    row.get_by_role("link", name=f"打开证照：{licence.number}").click()
    handover = page.get_by_role("button", name="核对取件码并交付")
    issuer.check(handover, page.get_by_label("取件码"))
    page.get_by_label("取件码").fill(pickup_code)
    handover.click()
    expect(page.locator(".messages")).to_contain_text("证照已交付申请人")

    # ---- the supervisor sees the time saved by the closed case
    supervisor = Desk(open_page, screen, "supervisor")
    supervisor.page.goto("/licences/time-saved/")
    expect(supervisor.page.locator("#time-saved")).to_contain_text("旅馆业")
    supervisor.check(supervisor.page.get_by_role("navigation", name="证照工作").get_by_role("link").first)

    assert not issuer.problems and not supervisor.problems, fits(issuer, supervisor)
