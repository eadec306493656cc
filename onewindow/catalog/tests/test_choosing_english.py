"""Choosing English: the interface (navigation, headings, buttons) switches; Chinese stays the default.

Data from the catalogue (bundle, item, department and material names) is content, not interface,
and stays Chinese in both languages, so the checks below look at navigation, headings and the
system's own messages only.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.services import DEMO_PASSWORD
from onewindow.approvals.models import Branch
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, demo_enterprises_create, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_accept, case_start, case_submit

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def english(client: Client) -> Client:
    """The visitor chose English with the language switch in the footer."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def main_navigation(body: str) -> str:
    """The header's navigation without the signed-in user's name, which is data."""
    match = re.search(r'<nav class="site-nav".*?</nav>', body, re.S)
    assert match is not None
    return text(re.sub(r'<li class="nav-user">.*?</li>', "", match.group(0), flags=re.S))


def headings(body: str, *levels: int) -> list[str]:
    wanted = "".join(str(level) for level in levels)
    pattern = rf"<h([{wanted}])\b[^>]*>(.*?)</h\1>"
    return [text(inner) for _level, inner in re.findall(pattern, body, re.S)]


def assert_english_layout(body: str) -> None:
    assert '<html lang="en">' in body
    nav = main_navigation(body)
    assert not CHINESE.search(nav), nav
    assert "Service guides" in nav
    assert "OneWindow" in body


@pytest.fixture
def submitted_case(db: None) -> Case:
    """The demo applicant's hotel case with four items, submitted to the window."""
    demo_enterprises_create()
    applicant = User.objects.get(username="applicant")
    case = case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, applicant)
    return case_submit(case=case, user=applicant, key=f"english-{case.pk}")


def test_chinese_is_the_default(client: Client) -> None:
    body = client.get(reverse("public:home")).content.decode()
    assert '<html lang="zh-Hans">' in body
    assert "办事指南" in main_navigation(body)
    assert "Service guides" not in body


def test_the_language_switch_turns_the_home_page_english(client: Client) -> None:
    body = english(client).get(reverse("public:home")).content.decode()
    assert_english_layout(body)
    main_headings = headings(body, 1, 2)
    assert "One Industry, One Licence — one window for everything" in main_headings
    assert "Shortcuts" in main_headings
    assert not any(CHINESE.search(heading) for heading in main_headings), main_headings
    assert "Skip to main content" in body


def test_a_browser_asking_for_english_gets_english(client: Client) -> None:
    body = client.get(reverse("public:home"), headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in body
    assert "Service guides" in main_navigation(body)


def test_the_bundle_questions_and_plan_are_english(client: Client) -> None:
    query = urlencode(HOTEL_FOUR_ITEMS)
    body = english(client).get(reverse("bundles:detail", args=["hotel"]) + "?" + query).content.decode()
    assert_english_layout(body)
    # The h1 is the bundle's name (content); every heading of the questions and the plan is interface.
    interface = headings(body, 2, 3)
    assert "Answer a few questions" in interface
    assert "Your list" in interface
    assert "Items to apply for (4)" in interface
    assert not any(CHINESE.search(heading) for heading in interface), interface
    assert "Start application" in body


def test_the_applicants_case_list_and_progress_are_english(client: Client, submitted_case: Case) -> None:
    client.force_login(submitted_case.applicant)
    english(client)

    cases = client.get(reverse("cases:my_cases")).content.decode()
    assert_english_layout(cases)
    assert headings(cases, 1) == ["My cases"]
    assert "Start a new application" in cases
    assert f"Case number {submitted_case.number}" in cases

    progress = client.get(reverse("cases:progress", args=[submitted_case.pk])).content.decode()
    assert_english_layout(progress)
    sections = headings(progress, 2)
    assert "Current status: Awaiting acceptance" in sections
    assert "Case history" in sections
    assert not any(CHINESE.search(heading) for heading in sections), sections
    assert "Waiting for the comprehensive window." in progress


def test_the_window_queue_is_english(client: Client, submitted_case: Case) -> None:
    client.force_login(User.objects.get(username="clerk"))
    body = english(client).get(reverse("cases:window_queue")).content.decode()
    assert_english_layout(body)
    assert headings(body, 1)[0].startswith("Acceptance queue")
    header = re.search(r"<thead>.*?</thead>", body, re.S)
    assert header is not None
    assert text(header.group(0)) == "Case number Applicant Bundle Channel Submitted at Waiting for"
    tabs = re.search(r'<ul class="tabs" id="queue-tabs">.*?</ul>', body, re.S)
    assert tabs is not None
    assert text(tabs.group(0)) == "Awaiting acceptance Awaiting supplement Refused"
    assert str(submitted_case.number) in body


def test_the_window_queue_stays_chinese_by_default(client: Client, submitted_case: Case) -> None:
    client.force_login(User.objects.get(username="clerk"))
    body = client.get(reverse("cases:window_queue")).content.decode()
    assert '<html lang="zh-Hans">' in body
    assert headings(body, 1)[0].startswith("受理队列")
    assert "待受理" in body


def test_the_sign_in_page_is_english(client: Client) -> None:
    body = english(client).get(reverse("accounts:login")).content.decode()
    assert_english_layout(body)
    assert headings(body, 1) == ["Sign in to OneWindow"]
    assert "Register an enterprise or personal account" in body


def test_the_registration_page_and_its_errors_are_english(client: Client) -> None:
    english(client)
    body = client.get(reverse("accounts:register")).content.decode()
    assert_english_layout(body)
    assert headings(body, 1) == ["Register an applicant account"]
    legends = [text(inner) for inner in re.findall(r"<legend[^>]*>(.*?)</legend>", body, re.S)]
    assert {"Enterprise details", "Personal details", "Sign-in details"} <= set(legends)
    assert not any(CHINESE.search(legend) for legend in legends), legends
    assert "Register and sign in" in body

    # The checks of the credit code and the mobile number answer in the language of the page.
    refused = client.post(
        reverse("accounts:register"),
        {"kind": "enterprise", "uscc": "91429006MA4F", "username": "hotel", "phone": "1380013"},
    )
    assert refused.status_code == 422
    summary = text(refused.content.decode())
    assert "The Unified Social Credit Code must have 18 characters, but this one has 12." in summary
    assert "A mobile number has 11 digits" in summary


@pytest.fixture
def accepted_case(submitted_case: Case) -> Case:
    """The submitted hotel case, accepted by the window: one branch per item in the departments' queues."""
    return case_accept(case=submitted_case, clerk=User.objects.get(username="clerk"))


def reviewer_signed_in(client: Client) -> Client:
    """The police reviewer signs in through the sign-in page with the demo password."""
    response = client.post(reverse("accounts:login"), {"username": "reviewer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_the_reviewers_queue_and_branch_page_are_english(client: Client, accepted_case: Case) -> None:
    reviewer_signed_in(english(client))
    body = client.get(reverse("approvals:queue")).content.decode()
    assert_english_layout(body)
    assert headings(body, 1)[0].startswith("Approval queue")
    review_nav = re.search(r'<nav class="review-nav".*?</nav>', body, re.S)
    assert review_nav is not None
    assert text(review_nav.group(0)) == "Approval queue Extension approvals Working-day calendar"
    header = re.search(r"<thead>.*?</thead>", body, re.S)
    assert header is not None
    columns = "Case number Applicant Item Clock started Due date Working days left Status"
    assert text(header.group(0)) == columns
    tabs = re.search(r'<ul class="status-tabs">.*?</ul>', body, re.S)
    assert tabs is not None
    assert re.sub(r"\d+ ?", "", text(tabs.group(0))) == (
        "All open Under review Waiting for prerequisite Clock paused Decided"
    )
    assert str(accepted_case.number) in body

    reviewer = User.objects.get(username="reviewer")
    branch = Branch.objects.get(case=accepted_case, department=reviewer.department)
    page = client.get(reverse("approvals:branch", args=[branch.pk])).content.decode()
    assert_english_layout(page)
    sections = headings(page, 2)
    assert {"Time limit", "Application form (what this item needs)", "Case history"} <= set(sections)


def test_the_reviewers_queue_stays_chinese_by_default(client: Client, accepted_case: Case) -> None:
    body = reviewer_signed_in(client).get(reverse("approvals:queue")).content.decode()
    assert '<html lang="zh-Hans">' in body
    assert headings(body, 1)[0].startswith("审批队列")
    assert "剩余工作日" in body


def test_an_api_error_is_in_the_language_the_client_asks_for(client: Client) -> None:
    demo_enterprises_create()
    applicant = User.objects.get(username="applicant")
    draft = case_start(bundle_code="hotel", applicant=applicant, answers=dict(HOTEL_FOUR_ITEMS))
    client.force_login(applicant)
    url = f"/api/v1/cases/{draft.pk}/submit"

    asked_english = client.post(
        url,
        json.dumps({"key": "english-1"}),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert asked_english.status_code == 422
    error = asked_english.json()
    assert error["code"] == "incomplete"
    assert error["message"] == (
        "Some things have not been filled in or handed in yet. Please complete them as indicated, then submit."
    )
    # Each problem is English too, apart from the catalogue's own field and material names it quotes.
    problems = [e["message"] for e in error["errors"]]
    assert problems and all(message.startswith("Please ") for message in problems), problems

    default = client.post(url, json.dumps({"key": "english-2"}), content_type="application/json")
    assert default.status_code == 422
    assert default.json()["code"] == "incomplete"
    assert default.json()["message"] == "还有内容没有填写或提交，请按提示补充后再提交。"
