"""Through the API: a four-item hotel case, one supplement round, one dependency, all approved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.accounts.models import Role, User
from onewindow.cases.demo import DEMO_PDF, HOTEL_FOUR_ITEMS
from onewindow.catalog.models import Department

API = "/api/v1"

VALUES = {
    "text": "天门市悦来宾馆",
    "address": "天门市竟陵街道钟惺大道88号",
    "number": "20",
    "integer": "20",
    "area": "1500",
    "date": "2026-12-01",
    "phone": "13800138000",
}


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    response = client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")
    assert response.status_code in (200, 201), (path, response.status_code, response.content.decode())
    return response.json()


@pytest.mark.django_db
def test_four_item_hotel_case_through_the_api(enterprises: list) -> None:
    for code in ("429006-wj", "429006-scjg"):
        User.objects.create_user(
            username=f"rev-{code}", role=Role.REVIEWER, department=Department.objects.get(code=code)
        )
    alice = client_for("applicant")
    case = post(alice, "/cases", {"bundle": "hotel", "answers": HOTEL_FOUR_ITEMS})
    case_id = case["id"]
    assert case["status"] == "draft" and case["channel"] == "online"
    assert len({i for f in case["form"] for i in f["items"]}) == 4

    form = {}
    for field in case["form"]:
        if field["type"] == "choice":
            form[field["code"]] = field["choices"][0]
        elif field["type"] == "uscc":
            form[field["code"]] = enterprises[0].uscc
        elif field["type"] == "id_number":
            form[field["code"]] = enterprises[0].legal_representative_id
        else:
            form[field["code"]] = VALUES[field["type"]]
    form["contact_phone"] = "1380013800"  # one digit short: saved anyway, reported as a problem
    saved = alice.put(
        f"{API}/cases/{case_id}/form", json.dumps({"data": form}), content_type="application/json"
    ).json()
    assert saved["saved"] and "contact_phone" in saved["problems"]
    blocked = alice.post(
        f"{API}/cases/{case_id}/submit", json.dumps({"key": "try-1"}), content_type="application/json"
    )
    assert blocked.status_code == 422
    assert any(e["field"] == "contact_phone" for e in blocked.json()["errors"])
    alice.put(
        f"{API}/cases/{case_id}/form",
        json.dumps({"data": {"contact_phone": "13800138000"}}),
        content_type="application/json",
    )

    for material in case["materials"]:
        if material["disposition"] == "shared":
            post(alice, f"/cases/{case_id}/materials/{material['code']}/shared")
        elif material["disposition"] == "upload":
            upload = SimpleUploadedFile("scan.pdf", DEMO_PDF, content_type="application/pdf")
            response = alice.post(
                f"{API}/cases/{case_id}/materials/{material['code']}/upload", {"file": upload}
            )
            assert response.status_code == 200, response.content
    post(alice, f"/cases/{case_id}/commitment/sign")
    submitted = post(alice, f"/cases/{case_id}/submit", {"key": "journey-1"})
    assert submitted["status"] == "submitted" and submitted["number"]

    clerk = client_for("clerk")
    queue = clerk.get(f"{API}/window/queue").json()
    assert case_id in [c["id"] for c in queue["items"]]
    first_upload = next(m for m in case["materials"] if m["disposition"] == "upload")
    post(
        clerk,
        f"/cases/{case_id}/supplement",
        {"entries": [{"material": first_upload["code"], "reason": "盖章不清晰"}]},
    )
    detail = alice.get(f"{API}/cases/{case_id}").json()
    assert detail["status"] == "supplement"
    assert detail["supplements"][0]["entries"][0]["reason"] == "盖章不清晰"
    upload = SimpleUploadedFile("clear.pdf", DEMO_PDF, content_type="application/pdf")
    alice.post(f"{API}/cases/{case_id}/materials/{first_upload['code']}/upload", {"file": upload})
    again = post(alice, f"/cases/{case_id}/submit", {"key": "journey-2"})
    assert again["status"] == "submitted" and again["number"] == submitted["number"]

    accepted = post(clerk, f"/cases/{case_id}/accept")
    assert accepted["status"] == "in_approval"
    statuses = {b["department"]: b["status"] for b in accepted["branches"]}
    assert sorted(statuses.values()).count("waiting") == 1

    police = client_for("reviewer")
    special = next(
        b for b in police.get(f"{API}/review/queue?status=waiting").json()["items"] if b["case"] == case_id
    )
    refused = police.post(
        f"{API}/branches/{special['id']}/approve",
        json.dumps({"version": special["version"]}),
        content_type="application/json",
    )
    assert refused.status_code == 409 and "前置" in refused.json()["message"]

    fire = client_for("reviewer_fire")
    fire_branch = next(b for b in fire.get(f"{API}/review/queue").json()["items"] if b["case"] == case_id)
    post(fire, f"/branches/{fire_branch['id']}/approve", {"version": fire_branch["version"]})
    stale = fire.post(
        f"{API}/branches/{fire_branch['id']}/approve",
        json.dumps({"version": fire_branch["version"]}),
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "branch_changed"

    special = police.get(f"{API}/branches/{special['id']}").json()
    assert special["status"] == "pending"
    assert (
        special["prerequisites"][0]["status"] == "approved" and special["prerequisites"][0]["permit_number"]
    )
    post(police, f"/branches/{special['id']}/approve", {"version": special["version"]})
    for code in ("429006-wj", "429006-scjg"):
        reviewer = client_for(f"rev-{code}")
        branch = next(b for b in reviewer.get(f"{API}/review/queue").json()["items"] if b["case"] == case_id)
        post(reviewer, f"/branches/{branch['id']}/approve", {"version": branch["version"]})

    final = alice.get(f"{API}/cases/{case_id}").json()
    assert final["status"] == "approved"
    assert all(b["status"] == "approved" and b["permit_number"] for b in final["branches"])
    labels = [e["label"] for e in alice.get(f"{API}/cases/{case_id}/events").json()]
    assert labels[0] == "创建申请" and labels[-1] == "全部事项审批完成"
    assert "一次告知需要补正的材料" in labels and "前置审批已完成，后续事项开始审批" in labels
