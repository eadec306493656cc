"""Who helped is named once on the case header, and the online guidance agent is not told to have
the commitment read face to face."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User

pytestmark = pytest.mark.django_db


def page_of(username: str, url: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.get(url).content.decode()


def test_the_guidance_agent_is_told_to_have_the_letter_read_online() -> None:
    agent = page_of("agent", reverse("cases:assist"))
    clerk = page_of("clerk", reverse("cases:assist"))

    assert "当面阅读确认" not in agent
    assert "在线阅读" in agent
    assert "当面阅读确认" in clerk


def test_the_case_header_names_the_staff_member_without_nested_brackets() -> None:
    from onewindow.cases.models import Case
    from onewindow.cases.services import case_start

    clerk = User.objects.get(username="clerk")
    applicant = User.objects.get(username="applicant")
    case: Case = case_start(
        bundle_code="hotel", applicant=applicant, answers={}, channel="window", assisted_by=clerk
    )
    page = page_of("clerk", reverse("cases:form", args=[case.pk]))

    header = page[page.index('id="case-channel">') :]
    header = header[: header.index("</dd>")]
    assert f"，经办人：{clerk.name}" in header
    assert "（（" not in header and "））" not in header


def test_the_window_queue_names_the_staff_member_without_nested_brackets() -> None:
    from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
    from onewindow.cases.services import case_start, case_submit

    clerk = User.objects.get(username="clerk")
    applicant = User.objects.get(username="applicant")
    case = case_start(
        bundle_code="hotel",
        applicant=applicant,
        answers=HOTEL_FOUR_ITEMS,
        channel="window",
        assisted_by=clerk,
    )
    fill_case(case, clerk)
    case_submit(case=case, user=clerk, key="queue-wording")
    page = page_of("clerk", reverse("cases:window_queue"))

    row = page[page.index(f'data-case="{case.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"窗口帮办代办，经办人：{clerk.name}" in row
    assert "（（" not in row and "））" not in row
