"""Requests the API cannot read or must refuse before any operation runs answer in its JSON, with a
code that says what to fix: a broken multipart body is a 400 (never a 500), a missing CSRF token is
not a lack of permission, and an expired session is a 401."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from onewindow.accounts.models import User
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db

BROKEN_MULTIPART = "multipart/form-data"  # no boundary: nothing can be read


def signed_in(username: str = "applicant") -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username=username))
    client.get("/")
    return client, client.cookies["csrftoken"].value


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases",
        "/api/v1/cases/1/submit",
        "/api/v1/cases/1/materials/business_licence/upload",
        "/api/v1/notifications/read-all",
        "/api/v1/licences/issue/1",
        "/api/v1/no-such-endpoint",
    ],
)
def test_a_multipart_body_without_boundary_is_a_400_in_json(path: str) -> None:
    client, token = signed_in()
    response = client.generic(
        "POST", path, b'{"key": "x"}', HTTP_X_CSRFTOKEN=token, content_type=BROKEN_MULTIPART
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_multipart"
    assert "multipart/form-data" in body["message"]


def test_a_page_keeps_its_own_400_page() -> None:
    client, token = signed_in()
    response = client.generic(
        "POST", "/cases/start/", b"x", HTTP_X_CSRFTOKEN=token, content_type=BROKEN_MULTIPART
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_missing_csrf_token_is_named_as_such() -> None:
    client, _token = signed_in()
    for path in ("/api/v1/notifications/read-all", "/api/v1/no-such-endpoint"):
        response = client.post(path, {}, content_type="application/json")
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "csrf_failed"
        assert "X-CSRFToken" in body["message"]


def test_an_unsafe_request_without_a_session_is_a_401() -> None:
    anonymous = Client(enforce_csrf_checks=True)
    response = anonymous.put("/api/v1/cases/1/form", {"data": {}}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_too_many_fields_says_how_many_are_allowed() -> None:
    client, token = signed_in()
    body = "&".join(f"f{i}=x" for i in range(20))
    response = client.generic(
        "POST",
        "/api/v1/notifications/read-all",
        body.encode(),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"
    assert "最多 5 个" in response.json()["message"]


def test_an_impossible_date_is_explained() -> None:
    client, token = signed_in("reviewer")
    response = client.post(
        "/api/v1/branches/1/approve",
        {"valid_until": "2026-02-30"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "valid_until"
    assert (
        error["message"]
        == "“有效期截止日期（valid_until）”应为日期，格式为 YYYY-MM-DD（如 2030-12-31），且该日期须存在。"
    )


def test_a_refusal_without_a_reason_names_the_field(submitted: Case) -> None:
    client, token = signed_in("clerk")

    response = client.post(
        f"/api/v1/cases/{submitted.pk}/refuse",
        {"reason": "  "},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "reason_required"
    assert [error["field"] for error in body["errors"]] == ["reason"]


def test_a_refused_upload_names_the_file_field(draft: Case) -> None:
    code = draft.materials.filter(disposition="upload").values_list("material__code", flat=True).first()
    client, token = signed_in()

    fake = SimpleUploadedFile("平面图.pdf", "这不是 PDF".encode() * 10, content_type="application/pdf")
    response = client.post(
        f"/api/v1/cases/{draft.pk}/materials/{code}/upload", {"file": fake}, HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "upload_type"
    assert [error["field"] for error in body["errors"]] == ["file"]
