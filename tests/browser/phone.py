"""What a phone user would run into on a page: sideways scrolling, tap targets under 44 px, inputs
iOS zooms into, and a main action that is cut off or too small. Shared by the phone layout tests."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, ViewportSize, expect

# An iPhone 12–15 and a small Android phone, in CSS pixels.
PHONES: dict[str, ViewportSize] = {
    "390px": {"width": 390, "height": 844},
    "360px": {"width": 360, "height": 740},
}
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
