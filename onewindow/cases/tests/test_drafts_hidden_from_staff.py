"""An applicant's draft is his alone until he submits it: the centre's staff cannot open it by id,
on the window's page or through the API, unless the centre itself started it on his behalf (帮办代办)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseMaterial, Channel
from onewindow.cases.services import case_start, case_submit

API = "/api/v1"


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def uploaded(case: Case) -> CaseMaterial:
    row = (
        case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert row is not None and row.file
    return row


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["clerk", "issuer", "centre_admin", "supervisor"])
def test_staff_get_404_for_an_applicants_unsubmitted_draft(username: str, filled_case: Case) -> None:
    staff = User.objects.get(username=username)
    if username == "centre_admin":
        User.objects.filter(pk=staff.pk).update(service_center=filled_case.service_center)
        staff.refresh_from_db()
    client = as_user(staff)
    row = uploaded(filled_case)

    assert client.get(f"{API}/cases/{filled_case.pk}").status_code == 404
    assert (
        client.get(reverse("cases:material_download", args=[filled_case.pk, row.material.code])).status_code
        == 404
    )
    if username == "clerk":
        assert client.get(reverse("cases:window_case", args=[filled_case.pk])).status_code == 404


@pytest.mark.django_db
def test_once_submitted_the_window_sees_it(filled_case: Case, alice: User, clerk: User) -> None:
    case_submit(case=filled_case, user=alice, key="visible")
    client = as_user(clerk)

    assert client.get(reverse("cases:window_case", args=[filled_case.pk])).status_code == 200
    assert client.get(f"{API}/cases/{filled_case.pk}").status_code == 200


@pytest.mark.django_db
def test_a_draft_the_centre_started_on_the_applicants_behalf_is_the_centres_to_see(
    alice: User, clerk: User
) -> None:
    case = case_start(
        bundle_code="hotel",
        applicant=alice,
        answers=dict(HOTEL_FOUR_ITEMS),
        channel=Channel.WINDOW,
        assisted_by=clerk,
    )
    fill_case(case, clerk)
    colleague = User.objects.create_user(
        username="clerk_b", role=Role.CLERK, service_center=clerk.service_center
    )

    assert as_user(colleague).get(f"{API}/cases/{case.pk}").status_code == 200
    assert as_user(clerk).get(reverse("cases:window_case", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_the_queue_api_lists_no_draft(filled_case: Case, clerk: User) -> None:
    response = as_user(clerk).get(f"{API}/window/queue", {"status": "draft"})

    # The queue has no such tab, and says so (test_window_queue_api_tabs.py).
    assert (response.status_code, response.json()["code"]) == (422, "unknown_queue_status")
