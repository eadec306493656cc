"""The licence API: public verification, and issue, read, change, revoke and delivery for signed-in users.

Until onewindow/api.py registers the licence router, this module is also the test urlconf: the
project's routes plus a NinjaAPI built like the real one (same parser, renderer and error
handlers) with the router mounted at /api/v1/licences.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseStatus
from onewindow.licenses.models import ComprehensiveLicense
from onewindow.licenses.services import licence_issue
from onewindow.licenses.signing import SigningUnavailable

pytestmark = [pytest.mark.django_db]

API = "/api/v1/licences"


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_verify_is_public_and_answers_404_in_chinese(issued: ComprehensiveLicense) -> None:
    licence = issued
    permits = list(licence.permits.order_by("id"))
    anonymous = _client()

    found = anonymous.get(f"{API}/verify", {"q": licence.identifier})
    assert found.status_code == 200
    body = found.json()
    assert body["state"] == "valid"
    assert body["label"] == "有效"
    assert body["number"] == licence.number
    assert body["version"] == 1
    assert body["identifier"] == licence.identifier
    assert body["issuer"] == licence.issuer
    assert body["legal_representative"] == licence.legal_representative[:1] + "*" * (
        len(licence.legal_representative) - 1
    )
    assert [p["number"] for p in body["permits"]] == [p.number for p in permits]
    assert body["current_version"] is None

    by_permit = anonymous.get(f"{API}/verify", {"q": permits[0].number})
    assert by_permit.json()["identifier"] == licence.identifier

    missing = anonymous.get(f"{API}/verify", {"q": "HOT000000000000"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert "没有找到" in missing.json()["message"]


def test_issue_read_change_and_revoke_through_the_api(
    approved_case: Callable[..., Case], issuer: User, alice: User, bob: User
) -> None:
    case = approved_case()
    assert _post(_client(), f"{API}/issue/{case.pk}").status_code == 401
    refused = _post(_client(alice), f"{API}/issue/{case.pk}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_an_issuer"

    staff = _client(issuer)
    missing = SigningUnavailable("signing_files_missing", "找不到签章证书或私钥文件。")
    with mock.patch("onewindow.licenses.signing.sign_pdf", side_effect=missing):
        unavailable = _post(staff, f"{API}/issue/{case.pk}")
    assert unavailable.status_code == 503
    assert unavailable.json()["code"] == "signing_files_missing"

    issued = _post(staff, f"{API}/issue/{case.pk}")
    assert issued.status_code == 201
    licence = issued.json()
    assert licence["version"] == 1
    assert licence["status"] == "valid"
    assert licence["signature"]["code"] == "ok"
    assert licence["signature"]["label"] == "签名有效"
    assert len(licence["permits"]) == case.permits.count()
    assert licence["pushes"][0]["operation"] == "issue"
    assert licence["case"]["status"] == CaseStatus.ISSUED

    again = _post(staff, f"{API}/issue/{case.pk}")
    assert again.status_code == 409
    assert again.json()["code"] == "not_ready"

    mine = _client(alice).get(f"{API}/{licence['id']}")
    assert mine.status_code == 200
    assert mine.json()["pushes"] == []
    assert mine.json()["delivery"] is None
    assert _client(bob).get(f"{API}/{licence['id']}").status_code == 404
    assert _client().get(f"{API}/{licence['id']}").status_code == 401

    no_note = _post(staff, f"{API}/{licence['id']}/change", {"legal_representative": "赵六"})
    assert no_note.status_code == 422
    assert no_note.json()["code"] == "note_required"
    assert no_note.json()["errors"][0]["field"] == "note"
    assert _post(_client(alice), f"{API}/{licence['id']}/change", {"note": "x"}).status_code == 403

    changed = _post(
        staff, f"{API}/{licence['id']}/change", {"legal_representative": "赵六", "note": "法定代表人变更"}
    )
    assert changed.status_code == 201
    new = changed.json()
    assert new["version"] == 2
    assert new["legal_representative"] == "赵六"
    assert [v["version"] for v in new["versions"]] == [2, 1]
    old = _client().get(f"{API}/verify", {"q": licence["identifier"]}).json()
    assert old["state"] == "changed"
    assert old["current_version"] == 2
    assert old["current_identifier"] == new["identifier"]

    revoked = _post(staff, f"{API}/{new['id']}/revoke", {"reason": "以欺骗手段取得许可"})
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    public = _client().get(f"{API}/verify", {"q": new["identifier"]}).json()
    assert public["state"] == "revoked"
    assert public["label"] == "已吊销"
    assert public["reason"] == "以欺骗手段取得许可"

    twice = _post(staff, f"{API}/{new['id']}/cancel", {"reason": "申请注销"})
    assert twice.status_code == 409
    assert twice.json()["code"] == "licence_not_valid"


def test_pickup_and_post_delivery_through_the_api(
    approved_case: Callable[..., Case], issuer: User, alice: User
) -> None:
    pickup = licence_issue(case=approved_case(), issuer=issuer)
    applicant, staff = _client(alice), _client(issuer)

    assert _post(staff, f"{API}/{pickup.pk}/delivery", {"method": "pickup"}).status_code == 403
    chosen = _post(applicant, f"{API}/{pickup.pk}/delivery", {"method": "pickup"})
    assert chosen.status_code == 200
    code = chosen.json()["pickup_code"]
    assert len(code) == 6
    assert staff.get(f"{API}/{pickup.pk}").json()["delivery"]["pickup_code"] is None

    wrong = _post(
        staff, f"{API}/{pickup.pk}/handover", {"pickup_code": "000000" if code != "000000" else "1"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "pickup_code"
    assert wrong.json()["errors"] == [
        {
            "field": "pickup_code",
            "code": "pickup_code",
            "message": "取件码不正确。再输错 4 次，该取件码将作废。",
        }
    ]
    handed = _post(staff, f"{API}/{pickup.pk}/handover", {"pickup_code": code})
    assert handed.status_code == 200
    assert handed.json()["status"] == "done"
    assert handed.json()["case_status"] == CaseStatus.CLOSED

    posted = licence_issue(case=approved_case(), issuer=issuer)
    incomplete = _post(applicant, f"{API}/{posted.pk}/delivery", {"method": "post"})
    assert incomplete.status_code == 422
    assert {e["field"] for e in incomplete.json()["errors"]} == {"recipient", "phone", "address"}
    bad_method = _post(applicant, f"{API}/{posted.pk}/delivery", {"method": "drone"})
    assert bad_method.status_code == 422
    address = {"recipient": "张三", "phone": "13800138000", "address": "天门市竟陵街道钟惺大道88号"}
    assert _post(applicant, f"{API}/{posted.pk}/delivery", {"method": "post", **address}).status_code == 200
    early = _post(staff, f"{API}/{posted.pk}/delivered")
    assert early.status_code == 409
    shipped = _post(
        staff, f"{API}/{posted.pk}/ship", {"carrier": "中国邮政EMS", "tracking_number": "1100000000000"}
    )
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["case_status"] == CaseStatus.ISSUED
    done = _post(staff, f"{API}/{posted.pk}/delivered")
    assert done.status_code == 200
    assert done.json()["case_status"] == CaseStatus.CLOSED
    assert ComprehensiveLicense.objects.get(pk=posted.pk).case.status == CaseStatus.CLOSED
