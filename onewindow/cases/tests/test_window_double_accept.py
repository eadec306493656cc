"""A second click on 受理 after the first went through: the clerk sees the acceptance, not an error."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.cases.models import Case, CaseStatus


@pytest.mark.django_db
def test_the_same_clerks_second_accept_lands_on_the_accepted_case(
    client: Client, submitted: Case, clerk: User
) -> None:
    client.force_login(clerk)
    url = reverse("cases:window_accept", args=[submitted.pk])
    assert client.post(url).status_code == 302
    branches = submitted.branches.count()

    again = client.post(url, follow=True)

    assert again.redirect_chain == [(reverse("cases:window_case", args=[submitted.pk]), 302)]
    assert again.status_code == 200
    page = again.content.decode()
    assert f"办件 {submitted.number} 已于" in page
    assert "由您受理，无需重复操作。" in page
    assert "不能执行此操作" not in page
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.IN_APPROVAL
    assert submitted.branches.count() == branches, "nothing is opened twice"
    assert list(submitted.events.filter(action="accepted").values_list("actor", flat=True)) == [clerk.pk]


@pytest.mark.django_db
def test_another_clerks_late_accept_still_shows_the_conflict(
    client: Client, submitted: Case, clerk: User
) -> None:
    colleague = User.objects.create_user(
        username="clerk_colleague",
        password="Clerk-pass-2026",
        role=Role.CLERK,
        service_center=clerk.service_center,
    )
    client.force_login(clerk)
    assert client.post(reverse("cases:window_accept", args=[submitted.pk])).status_code == 302

    client.force_login(colleague)
    late = client.post(reverse("cases:window_accept", args=[submitted.pk]))

    assert late.status_code == 409
    body = late.content.decode()
    assert "不能执行此操作" in body
    assert "并联审批中" in body


@pytest.mark.django_db
def test_an_accept_after_a_refusal_is_not_taken_for_a_double_click(
    client: Client, submitted: Case, clerk: User
) -> None:
    client.force_login(clerk)
    refused = client.post(reverse("cases:window_refuse", args=[submitted.pk]), {"reason": "不在本市"})
    assert refused.status_code == 302

    late = client.post(reverse("cases:window_accept", args=[submitted.pk]))

    assert late.status_code == 409
    assert "不予受理" in late.content.decode()


@pytest.mark.django_db
def test_the_decision_forms_are_guarded_against_a_second_click(
    client: Client, submitted: Case, clerk: User
) -> None:
    client.force_login(clerk)
    page = client.get(reverse("cases:window_case", args=[submitted.pk])).content.decode()
    assert page.count('class="decision-form" data-submit-once="decision"') == 3, (
        "accept, supplement and refuse are one choice (tests/browser/test_second_tap.py clicks them)"
    )
    assert "sentGroups" in page, "the page carries the site's submit-once script"
