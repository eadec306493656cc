"""The OpenAPI document tells a client every error answer an operation can give, in the caller's language.

Each error answer is documented with the one error body (ErrorOut) and the `code` values it comes
with; the answers documented are the ones the API really gives, which the second half of this file
provokes through the test client. The cast: alice applies, the demo clerk accepts, 赵磊 reviews for
消防 (fire safety) and 王强 for 公安, another department.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from conftest import accepted_hotel_case
from onewindow.accounts.models import User
from onewindow.approvals.models import Branch, BranchStatus
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case
from onewindow.cases.services import case_start
from onewindow.catalog.schemas import ErrorOut

API = "/api/v1"
ERROR_BODY = {"$ref": "#/components/schemas/ErrorOut"}
UNSAFE = {"post", "put", "patch", "delete"}
CODE = re.compile(r"`[a-z_]+`")
CHINESE = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db


def document(language: str = "zh-hans") -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def error_answer(doc: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    answer: dict[str, Any] = doc["paths"][f"{API}{path}"][method]["responses"][str(status)]
    return answer


# ---------------------------------------------------------------- the document


def test_every_operation_has_a_summary() -> None:
    doc = document()
    for method, path, operation in operations(doc):
        assert operation["summary"].strip(), f"{method} {path}"
        assert CHINESE.search(operation["summary"]), f"{method} {path}: {operation['summary']}"


def test_summaries_follow_the_callers_language() -> None:
    # Rendered per request in one process: a language asked for once does not stick.
    summaries = [
        document(language)["paths"][f"{API}/cases"]["get"]["summary"]
        for language in ("zh-hans", "en", "zh-hans")
    ]
    assert summaries == ["我的办件", "My cases", "我的办件"]


def test_the_groups_of_operations_follow_the_callers_language() -> None:
    def tags(language: str) -> set[str]:
        return {
            tag for _method, _path, operation in operations(document(language)) for tag in operation["tags"]
        }

    assert tags("zh-hans") == {
        "事项目录",
        "一业一证",
        "办件",
        "综合窗口",
        "并联审批",
        "事后核查",
        "证照",
        "站内消息",
    }
    english = tags("en")
    assert len(english) == 8
    assert not any(CHINESE.search(tag) for tag in english), english


def test_every_error_answer_has_the_error_body_and_names_its_codes() -> None:
    doc = document()
    assert set(doc["components"]["schemas"]["ErrorOut"]["required"]) == {"code", "message"}
    for method, path, operation in operations(doc):
        for status, answer in operation["responses"].items():
            if int(status) < 400:
                continue
            assert answer["content"]["application/json"]["schema"] == ERROR_BODY, f"{method} {path} {status}"
            assert CODE.search(answer["description"]), f"{method} {path} {status}: {answer['description']}"


def test_an_id_in_the_path_documents_not_found() -> None:
    doc = document()
    with_ids = [(method, path, op) for method, path, op in operations(doc) if "{" in path]
    assert len(with_ids) > 30
    for method, path, operation in with_ids:
        assert "404" in operation["responses"], f"{method} {path}"


def test_signed_in_changes_document_the_csrf_refusal_and_the_sign_in() -> None:
    doc = document()
    for method, path, operation in operations(doc):
        responses = operation["responses"]
        if operation.get("security"):
            assert "`unauthenticated`" in responses["401"]["description"], f"{method} {path}"
            if method in UNSAFE:
                assert "`csrf_failed`" in responses["403"]["description"], f"{method} {path}"
        else:
            # Public operations check neither sign-in nor the CSRF token, and do not claim to.
            assert "401" not in responses and "403" not in responses, f"{method} {path}"
    assert "403" not in doc["paths"][f"{API}/bundles/{{code}}/plan"]["post"]["responses"]


def test_every_change_with_input_documents_the_validation_answer() -> None:
    doc = document()
    for method, path, operation in operations(doc):
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        if method in UNSAFE and takes_input:
            assert "422" in operation["responses"], f"{method} {path}"
        if not takes_input:
            assert "422" not in operation["responses"], f"{method} {path}"
    approve = error_answer(doc, "post", "/branches/{branch_id}/approve", 422)["description"]
    for code in ("invalid_path", "invalid_body", "invalid_version", "permit_number_taken"):
        assert f"`{code}`" in approve


def test_conflicts_are_documented_where_they_happen() -> None:
    doc = document()
    assert (
        "`branch_changed`" in error_answer(doc, "post", "/branches/{branch_id}/approve", 409)["description"]
    )
    assert "`status_changed`" in error_answer(doc, "post", "/cases/{case_id}/accept", 409)["description"]
    assert "`account_unconfirmed`" in error_answer(doc, "post", "/cases", 409)["description"]
    # Reading changes nothing, so nothing conflicts.
    assert "409" not in doc["paths"][f"{API}/cases/{{case_id}}"]["get"]["responses"]


def test_the_english_document_is_english_where_translated_and_keeps_the_codes() -> None:
    chinese, english = document("zh-hans"), document("en")
    assert chinese["paths"].keys() == english["paths"].keys()
    changed = [
        (method, path)
        for method, path, operation in operations(english)
        if operation["summary"] != chinese["paths"][path][method]["summary"]
    ]
    assert f"{API}/branches/{{branch_id}}/approve" in [path for _method, path in changed]
    # The codes are the same whatever the language.
    for method, path, operation in operations(english):
        for status, answer in operation["responses"].items():
            original = chinese["paths"][path][method]["responses"][status]["description"]
            assert CODE.findall(answer["description"]) == CODE.findall(original), f"{method} {path}"


# ---------------------------------------------------------------- what is documented is what happens


@pytest.fixture
def draft(alice: User) -> Case:
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, alice)
    return case


@pytest.fixture
def fire_branch(alice: User) -> Branch:
    """The open fire-safety branch of another hotel case of alice's, accepted at the window."""
    case = accepted_hotel_case(alice)
    branch = Branch.objects.get(case=case, department__code="429006-xf")
    assert branch.status == BranchStatus.PENDING
    return branch


def signed_in(username: str, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(User.objects.get(username=username))
    return client


def assert_documented(doc: dict[str, Any], method: str, path: str, response: Any, code: str) -> None:
    """The answer is the documented error body, with a status and a code the operation documents."""
    body = json.loads(response.content)
    ErrorOut.model_validate(body)
    assert body["code"] == code, body
    answer = error_answer(doc, method, path, response.status_code)
    assert f"`{code}`" in answer["description"], (response.status_code, answer["description"])


def test_documented_answers_are_the_real_ones(draft: Case, fire_branch: Branch, settings: Settings) -> None:
    doc = document()
    applicant = signed_in("applicant")
    case_path = "/cases/{case_id}"
    materials = "/cases/{case_id}/materials"

    assert_documented(doc, "get", "/cases", Client().get(f"{API}/cases"), "unauthenticated")
    assert_documented(doc, "get", case_path, applicant.get(f"{API}/cases/999999"), "case_not_found")
    assert_documented(doc, "get", case_path, applicant.get(f"{API}/cases/abc"), "invalid_path")
    assert_documented(
        doc,
        "put",
        "/cases/{case_id}/form",
        applicant.put(f"{API}/cases/{draft.pk}/form", "[1, 2]", content_type="application/json"),
        "invalid_body",
    )
    assert_documented(
        doc,
        "post",
        "/cases/{case_id}/commitment/sign",
        signed_in("applicant", enforce_csrf_checks=True).post(f"{API}/cases/{draft.pk}/commitment/sign"),
        "csrf_failed",
    )
    assert_documented(
        doc,
        "post",
        materials,
        applicant.post(f"{API}/cases/{draft.pk}/materials", b"--x", content_type="multipart/form-data"),
        "invalid_multipart",
    )
    assert_documented(
        doc,
        "post",
        "/bundles/{code}/plan",
        Client().post(f"{API}/bundles/hotel/plan", '{"answers": 1}', content_type="application/json"),
        "invalid_body",
    )
    assert_documented(doc, "get", "/items", Client().get(f"{API}/items?limit=0"), "invalid_query")
    assert_documented(
        doc, "get", "/licences/verify", Client().get(f"{API}/licences/verify?q=nothing"), "not_found"
    )
    assert_documented(doc, "get", "/window/queue", applicant.get(f"{API}/window/queue"), "not_found")

    approve = f"{API}/branches/{fire_branch.pk}/approve"
    stale = json.dumps({"version": fire_branch.version + 1})
    fire = signed_in("reviewer_fire")
    path = "/branches/{branch_id}/approve"
    assert_documented(
        doc, "post", path, fire.post(approve, stale, content_type="application/json"), "branch_changed"
    )
    police = signed_in("reviewer")  # of another department
    assert_documented(
        doc, "post", path, police.post(approve, "{}", content_type="application/json"), "branch_not_found"
    )
    assert_documented(
        doc, "post", path, applicant.post(approve, "{}", content_type="application/json"), "not_found"
    )

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = json.dumps({"answers": {"rooms": "长" * 200}})
    assert_documented(
        doc,
        "post",
        "/bundles/{code}/plan",
        Client().post(f"{API}/bundles/hotel/plan", big, content_type="application/json"),
        "body_too_large",
    )
