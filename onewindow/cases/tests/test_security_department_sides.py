"""A department sees its own side of a shared case: 公安's reviewer never reads what 消防 asked the
applicant or what the applicant answered, through the progress page or the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, User
from onewindow.approvals.models import Branch
from onewindow.approvals.services import branch_approve, branch_pause, branch_reply, branch_resume
from onewindow.cases.models import Case

API = "/api/v1"
POLICE = "429006-ga"
FIRE = "429006-xf"
FIRE_ASKED = "请补充消防设施维护保养检测报告。"
FIRE_ANSWERED = "已委托维保公司检测，报告见附件。"
POLICE_ASKED = "请补充从业人员身份证复印件。"
POLICE_ANSWERED = "已补充全部从业人员名单。"


@pytest.fixture
def cast(enterprises: list[Enterprise]) -> dict[str, User]:
    names = ["applicant", "reviewer", "inspector", "reviewer_fire", "clerk", "supervisor"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


@pytest.fixture
def case(accepted: Case, cast: dict[str, User]) -> Case:
    """An accepted hotel case: 消防 asked the applicant something, he answered, 消防 approved; then
    公安 (waiting for 消防 until then) asked him something too, and he answered."""
    case, alice, fire = accepted, cast["applicant"], cast["reviewer_fire"]
    branch = branch_of(case, FIRE)
    branch_pause(branch_id=branch.pk, reviewer=fire, reason="rectification", note=FIRE_ASKED)
    branch_reply(branch_id=branch.pk, applicant=alice, text=FIRE_ANSWERED)
    branch_resume(branch_id=branch.pk, reviewer=fire)
    branch_approve(branch_id=branch.pk, reviewer=fire, permit_number="天消检字〔2026〕1号", valid_until=None)
    branch = branch_of(case, POLICE)
    branch_pause(branch_id=branch.pk, reviewer=cast["reviewer"], reason="rectification", note=POLICE_ASKED)
    branch_reply(branch_id=branch.pk, applicant=alice, text=POLICE_ANSWERED)
    return case


def branch_of(case: Case, department: str) -> Branch:
    return Branch.objects.filter(case=case, department__code=department).order_by("id")[0]


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_police_reviewer_is_taken_from_the_progress_page_to_his_own_branch(
    cast: dict[str, User], case: Case
) -> None:
    client = as_user(cast["reviewer"])
    response = client.get(reverse("cases:progress", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:branch", args=[branch_of(case, POLICE).pk])
    page = client.get(response["Location"]).content.decode()
    assert POLICE_ASKED in page and POLICE_ANSWERED in page
    assert FIRE_ASKED not in page and FIRE_ANSWERED not in page


@pytest.mark.django_db
def test_the_police_inspector_is_taken_to_his_inspections(cast: dict[str, User], case: Case) -> None:
    response = as_user(cast["inspector"]).get(reverse("cases:progress", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:mine")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "clerk", "supervisor"])
def test_the_applicant_and_the_centre_still_read_every_department_on_the_progress_page(
    who: str, cast: dict[str, User], case: Case
) -> None:
    response = as_user(cast[who]).get(reverse("cases:progress", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert FIRE_ASKED in page and POLICE_ASKED in page


@pytest.mark.django_db
def test_the_police_reviewer_reads_through_the_api_only_his_own_request_and_answer(
    cast: dict[str, User], case: Case
) -> None:
    client = as_user(cast["reviewer"])
    detail = client.get(f"{API}/cases/{case.pk}")
    events = client.get(f"{API}/cases/{case.pk}/events")
    assert detail.status_code == 200 and events.status_code == 200
    for body in (detail.content.decode(), events.content.decode()):
        assert FIRE_ASKED not in body and FIRE_ANSWERED not in body
    reasons = {b["department"]: b["reason"] for b in detail.json()["branches"]}
    assert POLICE_ASKED in reasons.values()
    assert POLICE_ANSWERED in events.content.decode()
    actions = [e["action"] for e in events.json()]
    assert {"created", "submitted", "accepted"} <= set(actions)


@pytest.mark.django_db
def test_the_police_reviewers_api_detail_lists_only_the_fields_his_item_uses(
    cast: dict[str, User], case: Case
) -> None:
    police_item = branch_of(case, POLICE).item.code
    fire_item = branch_of(case, FIRE).item.code
    detail = as_user(cast["reviewer"]).get(f"{API}/cases/{case.pk}").json()
    shown = {spec["code"] for spec in detail["form"]}
    expected = {spec["code"] for spec in case.plan["form"] if police_item in spec["items"]}
    fire_only = {
        spec["code"]
        for spec in case.plan["form"]
        if fire_item in spec["items"] and police_item not in spec["items"]
    }
    assert shown == expected
    assert fire_only, "the hotel plan has fields only the fire-safety check uses"
    assert not fire_only & set(detail["form_data"])
    assert set(detail["form_data"]) <= expected


@pytest.mark.django_db
def test_the_fire_reviewer_reads_his_own_side_and_not_the_polices(cast: dict[str, User], case: Case) -> None:
    client = as_user(cast["reviewer_fire"])
    body = (
        client.get(f"{API}/cases/{case.pk}").content.decode()
        + client.get(f"{API}/cases/{case.pk}/events").content.decode()
    )
    assert FIRE_ASKED in body and FIRE_ANSWERED in body
    assert POLICE_ASKED not in body and POLICE_ANSWERED not in body


@pytest.mark.django_db
def test_the_applicant_reads_every_request_and_answer_through_the_api(
    cast: dict[str, User], case: Case
) -> None:
    client = as_user(cast["applicant"])
    body = (
        client.get(f"{API}/cases/{case.pk}").content.decode()
        + client.get(f"{API}/cases/{case.pk}/events").content.decode()
    )
    for text in (FIRE_ASKED, FIRE_ANSWERED, POLICE_ASKED, POLICE_ANSWERED):
        assert text in body
    assert len(client.get(f"{API}/cases/{case.pk}").json()["form"]) == len(case.plan["form"])
