"""A second tap while a decision is on its way sends nothing: on the window's case page, once 受理 is
sent, neither 受理 again nor 补正 or 不予受理 leaves the browser; the one sent is answered normally."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from onewindow.accounts.models import User
from onewindow.cases.demo import demo_enterprises_create, fill_case
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import case_start, case_submit

from .conftest import OpenPage

pytestmark = pytest.mark.browser

HOTEL_FOUR_ITEMS = {"premises_leased": "yes", "food": "breakfast", "use_commitment": "yes"}


@pytest.fixture
def submitted(open_page: OpenPage) -> Case:
    """The demo applicant's hotel case, filled and submitted: it waits in the window's queue."""
    demo_enterprises_create()
    applicant = User.objects.get(username="applicant")
    case = case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, applicant)
    return case_submit(case=case, user=applicant, key=f"second-tap-{case.pk}")


def test_a_second_click_on_any_decision_sends_nothing(open_page: OpenPage, submitted: Case) -> None:
    clerk = open_page("clerk")
    clerk.goto(f"/window/cases/{submitted.pk}/")
    clerk.locator("#refuse-form").get_by_role("textbox").fill("申请人不具备主体资格。")
    # A slow connection, seen from the page: each submission the page lets through is noted and
    # held back (the window's listener runs after the page's own), so the page stays as it is
    # while the person clicks again.
    clerk.evaluate(
        """() => {
            window.sentForms = [];
            window.addEventListener("submit", (event) => {
                if (event.defaultPrevented) return;
                window.sentForms.push(event.target.action.split("/").slice(-2, -1)[0]);
                event.preventDefault();
            });
        }"""
    )
    accept = clerk.locator("#accept")
    refuse = clerk.locator("#refuse")

    accept.click()
    expect(accept).to_have_text("正在提交，请稍候……")
    accept.click(force=True)
    refuse.click(force=True)

    assert clerk.evaluate("() => window.sentForms") == ["accept"]
    expect(refuse).to_have_attribute("aria-disabled", "true")
    expect(clerk.locator("#supplement-form button[type=submit]")).to_have_attribute("aria-disabled", "true")

    # The one submission arrives: the case is accepted, nothing else happened to it.
    clerk.evaluate("() => HTMLFormElement.prototype.submit.call(document.querySelector('#accept').form)")
    expect(clerk.locator(".messages")).to_contain_text("已受理")
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.IN_APPROVAL
