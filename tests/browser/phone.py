"""What a phone or tablet user would run into on a page: sideways scrolling, tap targets under 44 px,
inputs iOS zooms into, a main action that is cut off or too small, and tables squeezed into unreadable
columns or stacked into cards without their labels. Shared by the phone and tablet layout tests."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, ViewportSize, expect

# An iPhone 12–15 and a small Android phone, in CSS pixels.
PHONES: dict[str, ViewportSize] = {
    "390px": {"width": 390, "height": 844},
    "360px": {"width": 360, "height": 740},
}
# A tablet held upright (iPad), narrower than the desktop layout, and one held sideways (iPad Air): as
# wide as a small desktop, it is told apart by its touch screen (see touch_screen).
TABLETS: dict[str, ViewportSize] = {
    "768px": {"width": 768, "height": 1024},
    "1180px": {"width": 1180, "height": 820},
}
TOUCH_TABLETS = {"1180px"}
TAP_PX = 44  # the smallest comfortable tap target (Apple HIG 44 pt, WCAG 2.5.5)
INPUT_FONT_PX = 16  # iOS Safari zooms into any input with a smaller font


# What a phone user would run into on the page as it is laid out now, one line per problem.
PHONE_PROBLEMS = """({tap, font}) => {
  const problems = [];
  const viewport = window.innerWidth;
  const name = (e) => {
    const text = (e.getAttribute("aria-label") || e.innerText || e.value || e.name || "").trim();
    return `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${text.replace(/\\s+/g, " ").slice(0, 30)}"`;
  };
  const shown = (e) => {  // drawn on the page: not hidden, not inside a closed <details>, not visually hidden
    const box = e.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && e.checkVisibility({visibilityProperty: true});
  };
  const width = document.documentElement.scrollWidth;
  if (width > viewport) problems.push(`the page scrolls sideways: ${width} px wide in a ${viewport} px screen`);
  for (const e of document.querySelectorAll("main *")) {
    const overflowX = getComputedStyle(e).overflowX;
    if ((overflowX === "auto" || overflowX === "scroll") && e.scrollWidth > e.clientWidth + 1 && shown(e)) {
      problems.push(`${name(e)} scrolls sideways inside the page: ${e.scrollWidth} px in ${e.clientWidth} px`);
    }
  }
  const targets = "button, a.button, a.badge, select, summary, label.choice, nav a, .breadcrumb-like a, "
    + "input:not([type=hidden]):not([type=checkbox]):not([type=radio])";
  for (const e of document.querySelectorAll(targets)) {
    if (!shown(e) || e.classList.contains("skip-link")) continue;
    const height = e.getBoundingClientRect().height;
    if (height < tap - 0.5) problems.push(`${name(e)} is ${height.toFixed(1)} px tall, under ${tap} px`);
  }
  for (const e of document.querySelectorAll("input, select, textarea")) {
    if (/^(hidden|checkbox|radio|file|submit|button|reset|image|range|color)$/.test(e.type) || !shown(e)) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < font) problems.push(`${name(e)} has a ${size} px font: iOS zooms into it`);
  }
  return problems;
}"""


# Tables as read on the page: a stacked table's cell (one card per row) that does not say what it is,
# and a caption or a column squeezed so narrow that its words break a character or two a line.
TABLE_PROBLEMS = """() => {
  const problems = [];
  const text = (e) => e.innerText.replace(/\\s+/g, " ").trim();
  const lines = (e) => {  // the lines its text is laid out in (a cell is as tall as its row: count them)
    const tops = [];
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) if (box.width > 0) tops.push(box.top);
    }
    tops.sort((a, b) => a - b);
    return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;
  };
  const squeezed = (e) => {
    const count = lines(e);
    return count >= 3 && text(e).length / count < 3;
  };
  for (const table of document.querySelectorAll("main table")) {
    if (!table.checkVisibility()) continue;
    const stacked = getComputedStyle(table).display === "block";
    const where = `table${table.id ? "#" + table.id : ""} (${text(table.rows[0] || table).slice(0, 20)}…)`;
    if (table.caption && table.caption.checkVisibility() && squeezed(table.caption)) {
      problems.push(`${where}: its caption is squeezed to a character or two a line`);
    }
    for (const cell of table.querySelectorAll("tbody td, tbody th")) {
      const own = text(cell);
      if (!own || cell.colSpan > 1 || !cell.checkVisibility()) continue;  // a spanning cell is a message
      if (!stacked) {
        if (squeezed(cell)) problems.push(`${where}: the column of “${own.slice(0, 20)}” is squeezed to a character or two a line`);
        continue;
      }
      const actions = [...cell.querySelectorAll("a.button, button")].map(text).join(" ");
      const label = getComputedStyle(cell, "::before").content;
      const unlabelled = label === "none" || label === "normal";
      if (cell.tagName === "TD" && own !== actions && unlabelled && !cell.matches(".num:first-child")) {
        problems.push(`${where}: the card's “${own.slice(0, 20)}” does not say what it is`);
      }
    }
  }
  return problems;
}"""


def touch_screen(page: Page) -> None:
    """The page's browser reports a touch screen, as a tablet's does: (pointer: coarse) matches."""
    page.context.new_cdp_session(page).send(
        "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5}
    )


def table_problems(page: Page) -> list[str]:
    """Tables on the page that cannot be read on this screen."""
    where = re.sub(r"^https?://[^/]+", "", page.url)
    return [f"{where}: {problem}" for problem in page.evaluate(TABLE_PROBLEMS)]


def phone_problems(page: Page, action: Locator, *more: Locator) -> list[str]:
    """Everything on the page that does not fit a phone, with the page's main action (and any
    other action named) in view, whole and full size."""
    page.wait_for_load_state("networkidle")  # htmx has settled the page
    where = re.sub(r"^https?://[^/]+", "", page.url)
    problems = [
        f"{where}: {problem}"
        for problem in page.evaluate(PHONE_PROBLEMS, {"tap": TAP_PX, "font": INPUT_FONT_PX})
    ]
    for each in (action, *more):
        expect(each).to_be_visible()
        each.scroll_into_view_if_needed()
        box = each.bounding_box()
        assert box is not None
        label = " ".join(each.inner_text().split())
        if box["height"] < TAP_PX - 0.5:
            problems.append(
                f"{where}: the action “{label}” is {box['height']:.1f} px tall, under {TAP_PX} px"
            )
        if box["x"] < 0 or box["x"] + box["width"] > page.evaluate("window.innerWidth"):
            problems.append(f"{where}: the action “{label}” is cut off at the side of the screen")
    return problems
