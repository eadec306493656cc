"""The API's own error messages answer in the language the caller asks for; Chinese stays the default.

The caller asks with Accept-Language (or the language cookie of the site). The catalogue's names quoted
in a message are content and stay Chinese, so each check uses a message made of interface text only.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from onewindow.accounts.models import User

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ENGLISH = {"accept-language": "en"}


def test_an_unknown_api_address_is_a_404_in_english(client: Client) -> None:
    asked_english = client.get("/api/v1/no-such-endpoint", headers=ENGLISH)
    assert asked_english.status_code == 404
    assert asked_english.json() == {
        "code": "not_found",
        "message": "There is no endpoint at this address. Please see the list of endpoints at /api/v1/docs.",
        "errors": [],
    }

    default = client.get("/api/v1/no-such-endpoint")
    assert default.json()["message"] == "没有这个接口地址，请查看 /api/v1/docs 中的接口列表。"


def test_something_missing_under_an_address_is_a_404_in_english(client: Client) -> None:
    asked_english = client.get("/api/v1/docs/assets/no-such-file.js", headers=ENGLISH)
    assert asked_english.status_code == 404
    assert (
        asked_english.json()["message"]
        == "What you asked for was not found. Please check the address or code."
    )

    default = client.get("/api/v1/docs/assets/no-such-file.js")
    assert default.json()["message"] == "没有找到您请求的内容，请核对地址或编码。"


def test_bad_list_parameters_are_refused_in_english(client: Client) -> None:
    asked_english = client.get("/api/v1/items?limit=ten&offset=-1", headers=ENGLISH)
    assert asked_english.status_code == 422
    body = asked_english.json()
    assert body["code"] == "invalid_query"
    assert [error["message"] for error in body["errors"]] == [
        "“Page size (limit)” must be a whole number.",
        "“Starting position (offset)” cannot be less than 0.",
    ]
    # English sentences in a row need a space between them; Chinese ones run on after "。".
    assert body["message"] == (
        "Problems in the request parameters: “Page size (limit)” must be a whole number. "
        "“Starting position (offset)” cannot be less than 0."
    )

    default = client.get("/api/v1/items?limit=ten&offset=-1").json()
    assert (
        default["message"]
        == "请求参数不符合要求：“每页条数（limit）”应为整数。“起始位置（offset）”不能小于 0。"
    )


def test_a_choice_outside_the_list_is_refused_in_english(client: Client) -> None:
    body = client.get("/api/v1/items?level=planet", headers=ENGLISH).json()
    [error] = body["errors"]
    assert error["message"].startswith("“Level (level)” must be one of: ")
    assert not CHINESE.search(body["message"]), body["message"]


def test_signing_in_first_and_sending_json_are_asked_for_in_english(client: Client) -> None:
    anonymous = client.post("/api/v1/cases", "{}", content_type="application/json", headers=ENGLISH)
    assert anonymous.status_code == 401
    assert anonymous.json()["message"] == "Please sign in before calling this endpoint."

    client.force_login(User.objects.create_user(username="alice", password="Alice-pass-2026"))
    not_json = client.post("/api/v1/cases", "not json", content_type="application/json", headers=ENGLISH)
    assert not_json.status_code == 422
    assert not_json.json()["message"] == "The request body is not valid JSON. Please send a JSON object."
    assert not_json.json()["errors"][0]["message"] == not_json.json()["message"]

    default = client.post("/api/v1/cases", "not json", content_type="application/json")
    assert default.json()["message"] == "请求内容不是有效的 JSON，请以 JSON 对象提交。"


def test_a_wrong_method_is_a_405_in_english(client: Client) -> None:
    asked_english = client.delete("/api/v1/departments", headers=ENGLISH)
    assert asked_english.status_code == 405
    assert asked_english.json()["message"] == (
        "This endpoint does not accept DELETE requests. Please use GET instead."
    )

    default = client.delete("/api/v1/departments")
    assert default.json()["message"] == "此接口不支持 DELETE 请求，请改用 GET。"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("/api/v1/departments/NO-SUCH", "department"),
        ("/api/v1/regions/NO-SUCH", "administrative region"),
        ("/api/v1/items/NO-SUCH", "government service item"),
    ],
)
def test_a_code_not_in_the_catalogue_is_a_404_in_english(client: Client, address: str, kind: str) -> None:
    asked_english = client.get(address, headers=ENGLISH)
    assert asked_english.status_code == 404
    assert asked_english.json() == {
        "code": "not_found",
        "message": (
            f"No {kind} with the code “NO-SUCH” was found. Please check the code, "
            "or choose one from the list endpoint."
        ),
        "errors": [],
    }


def test_a_code_not_in_the_catalogue_is_a_404_in_chinese_by_default(client: Client) -> None:
    default = client.get("/api/v1/items/NO-SUCH")
    assert default.status_code == 404
    assert default.json()["message"] == (
        "没有找到编码为“NO-SUCH”的政务服务事项，请核对编码，或从列表接口中选择。"
    )
    assert client.get("/api/v1/departments/NO-SUCH").json()["message"] == (
        "没有找到编码为“NO-SUCH”的部门，请核对编码，或从列表接口中选择。"
    )


@pytest.mark.parametrize(
    ("username", "path", "code"),
    [
        ("applicant", "/api/v1/cases/999999", "case_not_found"),
        ("reviewer", "/api/v1/branches/999999", "branch_not_found"),
        ("applicant", "/api/v1/window/queue", "not_found"),
    ],
)
def test_what_a_user_may_not_see_is_not_found_in_english(
    client: Client, username: str, path: str, code: str
) -> None:
    client.force_login(User.objects.get(username=username))
    response = client.get(path, headers=ENGLISH)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == code
    assert not CHINESE.search(body["message"]), body["message"]
