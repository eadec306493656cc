"""The public item catalogue and an item's guide fit a phone (their tables become one card per row,
their bundle links are full-size tap targets), and the applicant's header, in Chinese and in English,
shows every link and the account name in as few rows as the words allow."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from onewindow.catalog.models import ServiceItem

from .conftest import OpenPage, log_in
from .phone import PHONES, phone_problems

pytestmark = pytest.mark.browser

# The rows the header's parts (the brand and each navigation entry) are laid out in: parts whose
# vertical middles lie within a few pixels of each other share a row.
HEADER_ROWS = """() => {
  const middles = [...document.querySelectorAll(".site-header .brand, .site-nav li")]
    .map((e) => e.getBoundingClientRect())
    .filter((box) => box.width > 0 && box.height > 0)
    .map((box) => box.top + box.height / 2)
    .sort((a, b) => a - b);
  const rows = [];
  for (const middle of middles) {
    if (!rows.length || middle - rows[rows.length - 1] > 6) rows.push(middle);
  }
  return rows.length;
}"""
# The room the header leaves the account name, in characters (a cut name ends in …, which takes one).
NAME_ROOM = """() => {
  const name = document.querySelector(".site-nav .user-name");
  const style = getComputedStyle(name);
  const room = name.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return room / parseFloat(style.fontSize);
}"""
NAVIGATION = {
    "zh-hans": ["首页", "办事指南", "一业一证", "证照核验", "我的办件", "消息", "退出"],
    "en": [
        "Home",
        "Service guides",
        "One Industry, One Licence",
        "Verify a licence",
        "My cases",
        "Messages",
        "Sign out",
    ],
}
# The brand and one row of links, the account name and sign-out on the next. Brand and links are too
# wide to share a row (in English they need over 880 px), and on a 360 px screen the English links
# need a third row of their own.
HEADER_ROWS_AT_MOST = {
    ("zh-hans", "390px"): 3,
    ("zh-hans", "360px"): 3,
    ("en", "390px"): 3,
    ("en", "360px"): 4,
}


def header_problems(page: Page, language: str, screen: str) -> list[str]:
    """The applicant's header on a phone: every link shown, the name begun, no more rows than needed."""
    problems = []
    navigation = page.get_by_role("navigation", name="Main navigation" if language == "en" else "主导航")
    for name in NAVIGATION[language]:
        link = navigation.get_by_role(
            "button" if name in ("退出", "Sign out") else "link", name=name, exact=True
        )
        if not link.is_visible():
            problems.append(f"the {language} header does not show “{name}”")
    room = page.evaluate(NAME_ROOM)
    if room < 2:
        problems.append(
            f"the {language} header leaves the account name room for {room:.1f} characters: not one and …"
        )
    rows = page.evaluate(HEADER_ROWS)
    if rows > HEADER_ROWS_AT_MOST[language, screen]:
        problems.append(f"the {language} header takes {rows} rows")
    return problems


@pytest.mark.parametrize("screen", PHONES)
def test_the_catalogue_fits_a_phone(screen: str, open_page: OpenPage) -> None:
    item = ServiceItem.objects.get(code="special_trade_hotel_licence")  # materials, steps and form fields
    bundle = item.bundles.get(code="hotel")
    phone = open_page()
    phone.set_viewport_size(PHONES[screen])
    problems: list[str] = []

    def check(action: Locator, *more: Locator) -> None:
        problems.extend(phone_problems(phone, action, *more))

    # ---- a visitor looks an item up and reads its guide
    phone.goto("/items/?q=旅馆")
    entry = phone.locator(".item-list > li").filter(has=phone.get_by_role("link", name=item.name, exact=True))
    check(phone.get_by_role("button", name="查找"), entry.get_by_role("link", name=bundle.name))
    phone.goto(f"/items/{item.code}/")
    bundles = phone.locator("section").filter(has=phone.get_by_role("heading", name="所属一业一证主题"))
    check(
        bundles.get_by_role("link", name=bundle.name),
        phone.get_by_role("navigation", name="当前位置").get_by_role("link", name="办事指南"),
    )
    for table in ("#materials", "#steps", "#form-fields"):
        expect(phone.locator(f"{table} tbody tr").first).to_be_visible()

    # ---- the applicant's header in Chinese, then in English
    log_in(phone, "applicant")
    problems.extend(header_problems(phone, "zh-hans", screen))
    phone.get_by_label("语言").select_option("en")
    phone.get_by_role("button", name="切换").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    problems.extend(header_problems(phone, "en", screen))
    check(phone.get_by_role("button", name="Sign out"))

    assert not problems, "Not fit for a phone:\n" + "\n".join(problems)
