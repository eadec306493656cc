"""The progress page offers each reader only the links he may follow: the licence to whoever may see
it, the joint inspection's rectification page to the applicant alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import accepted_hotel_case
from onewindow.accounts.models import Enterprise, Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, approve_all, fill_case
from onewindow.cases.models import Case, Channel
from onewindow.cases.services import case_accept, case_start, case_submit
from onewindow.catalog.models import Department
from onewindow.inspections.services import inspection_schedule
from onewindow.inspections.tests.conftest import HOTEL_ALL_YES, SITE_CHECK_DEPARTMENTS
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import licence_issue

pytestmark = pytest.mark.django_db


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shown_and_opened(user: User, case: Case, link: str) -> tuple[bool, int]:
    client = as_user(user)
    progress = client.get(reverse("cases:progress", args=[case.pk]))
    assert progress.status_code == 200
    return link in progress.content.decode(), client.get(link).status_code


@pytest.fixture
def guided_licence(alice: User, enterprises: list[Enterprise]) -> ComprehensiveLicense:
    """Alice's licence, for an application the 导办 agent filed for her."""
    case = case_start(
        bundle_code="hotel",
        applicant=alice,
        answers=dict(HOTEL_FOUR_ITEMS),
        channel=Channel.GUIDANCE,
        assisted_by=User.objects.get(username="agent"),
    )
    fill_case(case, alice)
    case = case_accept(
        case=case_submit(case=case, user=alice, key="guided"), clerk=User.objects.get(username="clerk")
    )
    approve_all(case)
    return licence_issue(case=Case.objects.get(pk=case.pk), issuer=User.objects.get(username="issuer"))


@pytest.mark.parametrize("username", ["agent", "admin"])
def test_no_licence_button_for_readers_of_the_case_who_may_not_see_the_licence(
    guided_licence: ComprehensiveLicense, username: str
) -> None:
    link = reverse("licenses:detail", args=[guided_licence.pk])

    shown, opened = shown_and_opened(User.objects.get(username=username), guided_licence.case, link)

    assert (shown, opened) == (False, 404)


@pytest.mark.parametrize("username", ["applicant", "clerk", "issuer"])
def test_the_licence_button_for_those_who_may_open_it(
    guided_licence: ComprehensiveLicense, username: str
) -> None:
    link = reverse("licenses:detail", args=[guided_licence.pk])

    assert shown_and_opened(User.objects.get(username=username), guided_licence.case, link) == (True, 200)


@pytest.fixture
def inspected_case(alice: User) -> Case:
    """Alice's nine-item hotel case with a joint inspection scheduled for tomorrow."""
    case = accepted_hotel_case(alice, HOTEL_ALL_YES)
    organiser = User.objects.get(username="inspector")
    inspectors = {"429006-ga": organiser}
    for department in Department.objects.filter(code__in=SITE_CHECK_DEPARTMENTS).exclude(code="429006-ga"):
        inspectors[department.code] = User.objects.create_user(
            username=f"i-{department.code}", role=Role.INSPECTOR, department=department
        )
    inspection_schedule(
        case=case,
        organiser=organiser,
        scheduled_at=timezone.now() + timedelta(days=1),
        address="天门市竟陵街道钟惺大道88号",
        inspectors=inspectors,
    )
    return case


@pytest.mark.parametrize("username", ["clerk", "issuer", "supervisor", "admin"])
def test_staff_reading_the_case_get_no_rectification_link(inspected_case: Case, username: str) -> None:
    link = reverse("inspections:rectification", args=[inspected_case.pk])

    shown, opened = shown_and_opened(User.objects.get(username=username), inspected_case, link)

    assert (shown, opened) == (False, 404)


def test_the_applicant_gets_the_rectification_link(inspected_case: Case, alice: User) -> None:
    link = reverse("inspections:rectification", args=[inspected_case.pk])

    assert shown_and_opened(alice, inspected_case, link) == (True, 200)
