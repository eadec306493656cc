"""The window's API queue has the page's three tabs (待受理, 待补正, 不予受理) and no other."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.models import Case
from onewindow.cases.services import case_request_supplement

pytestmark = pytest.mark.django_db

API = "/api/v1"


def clerk_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="clerk"))
    return client


@pytest.mark.parametrize("status", ["draft", "in_approval", "issued", "anything"])
def test_a_status_that_is_no_tab_is_refused_in_chinese(filled_case: Case, status: str) -> None:
    response = clerk_client().get(f"{API}/window/queue", {"status": status})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unknown_queue_status"
    assert "待受理（submitted）、待补正（supplement）和不予受理（refused）" in body["message"]
    assert body["errors"][0]["field"] == "status"


def test_each_tab_lists_its_cases(submitted: Case, clerk: User) -> None:
    client = clerk_client()
    assert [row["id"] for row in client.get(f"{API}/window/queue").json()["items"]] == [submitted.pk]

    material = submitted.materials.filter(disposition="upload").select_related("material").first()
    assert material is not None
    case_request_supplement(
        case=submitted,
        clerk=clerk,
        entries=[{"material": material.material.code, "reason": "请提供清晰的扫描件"}],
    )

    supplement = client.get(f"{API}/window/queue", {"status": "supplement"}).json()["items"]
    assert [row["id"] for row in supplement] == [submitted.pk]
    assert client.get(f"{API}/window/queue", {"status": "refused"}).json()["items"] == []
