"""Department staff see of a case what their items use: only those materials open for them, and ID
numbers reach no one but the applicant in full, through the pages or the API."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.approvals.models import Branch
from onewindow.cases.demo import DEMO_PDF, HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, Channel
from onewindow.cases.services import case_start, case_submit
from onewindow.catalog.models import Department

API = "/api/v1"
POLICE = "429006-ga"
FIRE = "429006-xf"
# In the hotel plan: used by the fire-safety check alone, by the special-trade licence (公安) alone,
# and by all four items.
FIRE_ONLY = "fire_safety_rules"
POLICE_ONLY = "staff_roster"
SHARED_BY_ALL = "floor_plan"


@pytest.fixture
def cast(enterprises: list[Enterprise]) -> dict[str, User]:
    """The demo cast: 公安's reviewer and inspector, 消防's reviewer, the centre's clerk, a supervisor."""
    names = ["applicant", "reviewer", "inspector", "reviewer_fire", "clerk", "supervisor"]
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    assert users["reviewer"].department is not None and users["reviewer"].department.code == POLICE
    assert users["inspector"].department is not None and users["inspector"].department.code == POLICE
    assert users["reviewer_fire"].department is not None and users["reviewer_fire"].department.code == FIRE
    return users


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(user: User, case: Case, code: str) -> tuple[int, bytes]:
    response = as_user(user).get(reverse("cases:material_download", args=[case.pk, code]))
    return response.status_code, response.getvalue()


@pytest.mark.django_db
def test_the_plan_links_the_materials_as_these_tests_assume(accepted: Case) -> None:
    items = {m["code"]: set(m["items"]) for m in accepted.plan["materials"]}
    assert items[FIRE_ONLY] == {"fire_safety_check"}
    assert "fire_safety_check" not in items[POLICE_ONLY]
    assert {"special_trade_hotel_licence", "fire_safety_check"} <= items[SHARED_BY_ALL]
    assert set(accepted.materials.values_list("material__code", flat=True)) >= {FIRE_ONLY, POLICE_ONLY}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "inspector"])
def test_public_security_staff_cannot_open_a_fire_safety_material(
    who: str, cast: dict[str, User], accepted: Case
) -> None:
    status, body = download(cast[who], accepted, FIRE_ONLY)
    assert status == 404
    assert DEMO_PDF not in body
    assert "没有找到" in body.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "inspector"])
@pytest.mark.parametrize("code", [POLICE_ONLY, SHARED_BY_ALL])
def test_public_security_staff_open_the_materials_their_item_uses(
    who: str, code: str, cast: dict[str, User], accepted: Case
) -> None:
    assert download(cast[who], accepted, code) == (200, DEMO_PDF)


@pytest.mark.django_db
def test_the_fire_reviewer_opens_fire_materials_and_not_public_security_ones(
    cast: dict[str, User], accepted: Case
) -> None:
    fire = cast["reviewer_fire"]
    assert download(fire, accepted, FIRE_ONLY) == (200, DEMO_PDF)
    assert download(fire, accepted, POLICE_ONLY)[0] == 404


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "clerk", "supervisor"])
def test_the_applicant_the_centres_clerk_and_supervisors_still_open_every_material(
    who: str, cast: dict[str, User], accepted: Case
) -> None:
    for code in (FIRE_ONLY, POLICE_ONLY):
        assert download(cast[who], accepted, code) == (200, DEMO_PDF), code


@pytest.mark.django_db
def test_a_reviewer_whose_department_holds_no_branch_opens_nothing(accepted: Case) -> None:
    tobacco = User.objects.create_user(
        username="reviewer_yc", role=Role.REVIEWER, department=Department.objects.get(code="429006-yc")
    )
    assert download(tobacco, accepted, SHARED_BY_ALL)[0] == 404


@pytest.mark.django_db
def test_every_material_link_on_the_reviewers_branch_page_opens(
    cast: dict[str, User], accepted: Case
) -> None:
    reviewer = cast["reviewer"]
    branch = Branch.objects.get(case=accepted, department__code=POLICE)
    page = as_user(reviewer).get(reverse("approvals:branch", args=[branch.pk])).content.decode()
    linked = set(re.findall(rf"/cases/{accepted.pk}/materials/([\w-]+)/file/", page))
    assert POLICE_ONLY in linked and FIRE_ONLY not in linked, linked
    for code in linked:
        assert download(reviewer, accepted, code)[0] == 200, code


@pytest.mark.django_db
def test_the_progress_page_offers_a_reviewer_no_link_to_another_departments_material(
    cast: dict[str, User], accepted: Case
) -> None:
    # A reviewer's progress page is his own branch page.
    page = as_user(cast["reviewer"]).get(reverse("cases:progress", args=[accepted.pk]), follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0] == reverse(
        "approvals:branch", args=[Branch.objects.get(case=accepted, department__code=POLICE).pk]
    )
    assert reverse("cases:material_download", args=[accepted.pk, FIRE_ONLY]) not in page.content.decode()


# ---------------------------------------------------------------- ID numbers through the API


def legal_representative_id(case: Case) -> str:
    number = str(case.form_data["legal_representative_id"])
    assert len(number) == 18
    return number


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["reviewer", "inspector", "reviewer_fire", "clerk", "supervisor"])
def test_staff_read_the_legal_representatives_id_masked(
    who: str, cast: dict[str, User], accepted: Case
) -> None:
    number = legal_representative_id(accepted)
    response = as_user(cast[who]).get(f"{API}/cases/{accepted.pk}")
    assert response.status_code == 200
    form_data = response.json()["form_data"]
    if who == "reviewer_fire":
        # The fire-safety check does not use the field: 消防 reads only the fields its item uses.
        assert "legal_representative_id" not in form_data
    else:
        assert form_data["legal_representative_id"] == number[:6] + "********" + number[-4:]
    assert number not in response.content.decode()


@pytest.mark.django_db
def test_the_applicant_reads_the_legal_representatives_id_in_full(
    cast: dict[str, User], accepted: Case
) -> None:
    response = as_user(cast["applicant"]).get(f"{API}/cases/{accepted.pk}")
    assert response.status_code == 200
    assert response.json()["form_data"]["legal_representative_id"] == legal_representative_id(accepted)


@pytest.mark.django_db
def test_the_clerk_filling_a_draft_for_the_applicant_reads_it_in_full_until_it_is_submitted(
    cast: dict[str, User],
) -> None:
    """His form page shows him the number in its input; a masked copy written back would replace it."""
    alice, clerk = cast["applicant"], cast["clerk"]
    case = case_start(
        bundle_code="hotel",
        applicant=alice,
        answers=dict(HOTEL_FOUR_ITEMS),
        channel=Channel.WINDOW,
        assisted_by=clerk,
    )
    fill_case(case, alice)
    number = legal_representative_id(case)
    client = as_user(clerk)
    assert client.get(f"{API}/cases/{case.pk}").json()["form_data"]["legal_representative_id"] == number
    case_submit(case=case, user=alice, key="assisted-draft")
    shown = client.get(f"{API}/cases/{case.pk}").json()["form_data"]["legal_representative_id"]
    assert shown != number and shown.endswith(number[-4:])


def api_material_codes(user: User, case: Case) -> set[str]:
    response = as_user(user).get(f"{API}/cases/{case.pk}")
    assert response.status_code == 200, response.content.decode()
    return {m["code"] for m in response.json()["materials"]}


@pytest.mark.django_db
def test_the_case_api_lists_a_reviewer_the_materials_his_item_uses_only(
    cast: dict[str, User], accepted: Case
) -> None:
    police = api_material_codes(cast["reviewer"], accepted)
    assert {POLICE_ONLY, SHARED_BY_ALL} <= police
    assert FIRE_ONLY not in police
    fire = api_material_codes(cast["reviewer_fire"], accepted)
    assert FIRE_ONLY in fire and POLICE_ONLY not in fire
    everything = set(accepted.materials.values_list("material__code", flat=True))
    assert api_material_codes(cast["clerk"], accepted) == everything
    assert api_material_codes(cast["applicant"], accepted) == everything
