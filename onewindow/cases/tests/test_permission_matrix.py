"""Every role against every case and branch endpoint: people see only what is theirs (404 otherwise)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.response import HttpResponseBase
from django.test import Client

from onewindow.accounts.models import Role, User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.cases.demo import DEMO_PDF, HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseMaterial, Channel
from onewindow.cases.services import case_accept, case_start, case_submit
from onewindow.catalog.models import Department
from onewindow.centers.models import ServiceCenter

API = "/api/v1"


@pytest.fixture
def cast(enterprises: list, db: None) -> dict[str, User]:
    """The fixed cast: one user per role, plus outsiders of the same role."""
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "applicant",
                "clerk",
                "reviewer",
                "reviewer_fire",
                "inspector",
                "issuer",
                "agent",
                "centre_admin",
                "supervisor",
                "admin",
            ]
        )
    }
    township = ServiceCenter.objects.filter(kind=ServiceCenter.Kind.TOWNSHIP).first()
    users["bob"] = User.objects.create_user(username="bob", role=Role.APPLICANT, enterprise=enterprises[1])
    users["clerk_elsewhere"] = User.objects.create_user(
        username="clerk2", role=Role.CLERK, service_center=township
    )
    users["reviewer_tobacco"] = User.objects.create_user(
        username="reviewer_yc", role=Role.REVIEWER, department=Department.objects.get(code="429006-yc")
    )
    return users


@pytest.fixture
def cases(cast: dict[str, User]) -> dict[str, Case]:
    alice, clerk = cast["applicant"], cast["clerk"]
    draft = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(draft, alice)
    submitted = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(submitted, alice)
    case_submit(case=submitted, user=alice, key="matrix-submitted")
    accepted = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(accepted, alice)
    case_submit(case=accepted, user=alice, key="matrix-accepted")
    case_accept(case=accepted, clerk=clerk)
    return {"draft": draft, "submitted": submitted, "accepted": accepted}


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


ALL = [
    "applicant",
    "bob",
    "clerk",
    "clerk_elsewhere",
    "reviewer",
    "reviewer_fire",
    "reviewer_tobacco",
    "inspector",
    "issuer",
    "agent",
    "centre_admin",
    "supervisor",
    "admin",
]

# Who may read an accepted hotel case (branches at 公安, 消防, 卫健, 市场监管).
CASE_READERS = {
    "applicant",
    "clerk",
    "reviewer",
    "reviewer_fire",
    "inspector",
    "issuer",
    "supervisor",
    "admin",
}


def status_of(response: HttpResponseBase) -> int:
    return int(response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL)
def test_reading_a_case(who: str, cast: dict[str, User], cases: dict[str, Case]) -> None:
    client = as_user(cast[who])
    case = cases["accepted"]
    expected = 200 if who in CASE_READERS else 404
    for path in (
        f"{API}/cases/{case.pk}",
        f"{API}/cases/{case.pk}/events",
        f"{API}/cases/{case.pk}/commitment",
    ):
        response = client.get(path)
        assert status_of(response) == expected, (who, path)
        if expected == 404:
            assert response.json()["code"] in {"case_not_found", "not_found"}
            assert "办件" in response.json()["message"] or "没有找到" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL)
def test_editing_a_draft(who: str, cast: dict[str, User], cases: dict[str, Case]) -> None:
    client = as_user(cast[who])
    draft = cases["draft"]
    material = (
        draft.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert material is not None
    before = dict(Case.objects.get(pk=draft.pk).form_data)
    attempts = [
        client.put(
            f"{API}/cases/{draft.pk}/form",
            json.dumps({"data": {"contact_phone": "13900000000"}}),
            content_type="application/json",
        ),
        client.post(
            f"{API}/cases/{draft.pk}/materials/{material.material.code}/upload",
            {"file": SimpleUploadedFile("a.pdf", DEMO_PDF, content_type="application/pdf")},
        ),
        client.post(
            f"{API}/cases/{draft.pk}/materials",
            {material.material.code: SimpleUploadedFile("b.pdf", DEMO_PDF, content_type="application/pdf")},
        ),
        client.post(f"{API}/cases/{draft.pk}/commitment/sign"),
    ]
    if who == "applicant":
        assert [status_of(r) for r in attempts] == [200, 200, 200, 200]
    else:
        assert [status_of(r) for r in attempts] == [404, 404, 404, 404], who
        assert Case.objects.get(pk=draft.pk).form_data == before
    submit = client.post(
        f"{API}/cases/{draft.pk}/submit", json.dumps({"key": f"k-{who}"}), content_type="application/json"
    )
    assert status_of(submit) == (200 if who == "applicant" else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL)
def test_window_actions(who: str, cast: dict[str, User], cases: dict[str, Case]) -> None:
    client = as_user(cast[who])
    case = cases["submitted"]
    queue = client.get(f"{API}/window/queue")
    if who == "clerk":
        assert status_of(queue) == 200
        assert case.pk in [c["id"] for c in queue.json()["items"]]
    elif who == "clerk_elsewhere":
        assert status_of(queue) == 200, "his own centre's queue"
        assert case.pk not in [c["id"] for c in queue.json()["items"]]
    else:
        assert status_of(queue) == 404
    refuse = client.post(
        f"{API}/cases/{case.pk}/refuse", json.dumps({"reason": "测试"}), content_type="application/json"
    )
    supplement = client.post(
        f"{API}/cases/{case.pk}/supplement",
        json.dumps({"entries": [{"reason": "测试"}]}),
        content_type="application/json",
    )
    if who == "clerk":
        assert status_of(refuse) == 200
        assert status_of(supplement) == 409, "already refused: a conflict, not a second answer"
    else:
        assert (status_of(refuse), status_of(supplement)) == (404, 404), who
        accept = client.post(f"{API}/cases/{case.pk}/accept")
        assert status_of(accept) == 404
        assert Case.objects.get(pk=case.pk).status == "submitted"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ALL)
def test_branch_endpoints(who: str, cast: dict[str, User], cases: dict[str, Case]) -> None:
    client = as_user(cast[who])
    fire = Branch.objects.get(case=cases["accepted"], department__code="429006-xf")
    reading = client.get(f"{API}/branches/{fire.pk}")
    decisions = [
        client.post(
            f"{API}/branches/{fire.pk}/deny",
            json.dumps({"reason": "x", "legal_basis": "y"}),
            content_type="application/json",
        ),
        client.post(
            f"{API}/branches/{fire.pk}/pause", json.dumps({"note": "整改"}), content_type="application/json"
        ),
    ]
    queue = client.get(f"{API}/review/queue")
    if who == "reviewer_fire":
        assert status_of(reading) == 200
        assert status_of(decisions[0]) == 200
        assert (
            fire.pk in [b["id"] for b in queue.json()["items"]]
            or Branch.objects.get(pk=fire.pk).status == BranchStatus.DENIED
        )
    else:
        assert status_of(reading) == 404, who
        assert [status_of(r) for r in decisions] == [404, 404], who
        assert Branch.objects.get(pk=fire.pk).status == BranchStatus.PENDING
        if cast[who].role == Role.REVIEWER:
            assert fire.pk not in [b["id"] for b in queue.json()["items"]]
        else:
            assert status_of(queue) == 404


@pytest.mark.django_db
def test_assisting_staff_may_edit_only_their_own_assisted_case(cast: dict[str, User]) -> None:
    assisted = case_start(
        bundle_code="hotel",
        applicant=cast["applicant"],
        answers=dict(HOTEL_FOUR_ITEMS),
        channel=Channel.WINDOW,
        assisted_by=cast["clerk"],
    )
    body = json.dumps({"data": {"contact_phone": "13900000000"}})
    mine = as_user(cast["clerk"]).put(
        f"{API}/cases/{assisted.pk}/form", body, content_type="application/json"
    )
    other = as_user(cast["clerk_elsewhere"]).put(
        f"{API}/cases/{assisted.pk}/form", body, content_type="application/json"
    )
    assert (mine.status_code, other.status_code) == (200, 404)


@pytest.mark.django_db
def test_anonymous_gets_401_in_chinese(cases: dict[str, Case]) -> None:
    response = Client().get(f"{API}/cases/{cases['accepted'].pk}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "登录" in response.json()["message"]
