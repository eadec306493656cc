"""After the window asks for a supplement, 去补正 leads to what was asked for, and the steps tick
only what is done."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.services import case_request_supplement

pytestmark = pytest.mark.django_db


def progress_of(case: Case, user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("cases:progress", args=[case.pk])).content.decode()


def continue_link(page: str) -> str:
    match = re.search(r'<a class="button primary" href="([^"]+)" id="continue-editing">', page)
    assert match, "去补正 is offered"
    return match.group(1)


def test_a_document_asked_for_leads_to_that_document(submitted: Case, clerk: User, alice: User) -> None:
    case_request_supplement(
        case=submitted, clerk=clerk, entries=[{"material": "floor_plan", "reason": "未标注床位"}], note=""
    )

    page = progress_of(submitted, alice)

    assert "去补正" in page
    assert continue_link(page) == reverse("cases:materials", args=[submitted.pk]) + "#material-floor_plan"


def test_a_correction_of_the_form_leads_to_the_form(submitted: Case, clerk: User, alice: User) -> None:
    case_request_supplement(
        case=submitted, clerk=clerk, entries=[{"material": "", "reason": "联系电话有误"}], note=""
    )

    assert continue_link(progress_of(submitted, alice)) == reverse("cases:form", args=[submitted.pk])


def test_submitting_is_not_ticked_before_it_is_done(filled_case: Case, alice: User) -> None:
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("cases:commitment", args=[filled_case.pk])).content.decode()

    steps = re.search(r'<ol class="steps" id="steps">(.*?)</ol>', page, re.S)
    assert steps
    submit = re.search(r"<li>(?:(?!</li>).)*检查并提交(?:(?!</li>).)*</li>", steps.group(1), re.S)
    assert submit and "✓" not in submit.group(0)
    assert steps.group(1).count("✓") == 3, "the form, the documents and the signature are done"


def test_the_first_submission_stays_visible_after_the_resubmission(
    submitted: Case, clerk: User, alice: User
) -> None:
    from onewindow.cases.services import case_submit
    from onewindow.cases.tests.test_submission_key_rounds import supplement_answered

    first = submitted.submitted_at
    assert first is not None
    supplement_answered(submitted, clerk, alice)
    resubmitted = case_submit(case=Case.objects.get(pk=submitted.pk), user=alice, key="second-round")

    page = progress_of(resubmitted, alice)

    assert f'id="first-submitted">{timezone.localtime(first):%Y-%m-%d %H:%M}<' in page
    assert f'id="resubmitted">{timezone.localtime(resubmitted.submitted_at):%Y-%m-%d %H:%M}<' in page
