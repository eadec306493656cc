"""A lone surrogate ("\\ud800") in a JSON body is refused with a Chinese 422, like a NUL, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import case_start, case_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(alice: User) -> Case:
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    fill_case(case, alice)
    return case_submit(case=case, user=alice, key="lone-surrogate")


def refuse(case: Case, body: str) -> tuple[int, dict[str, object]]:
    clerk = Client(raise_request_exception=False)
    clerk.force_login(User.objects.get(username="clerk"))
    response = clerk.post(f"/api/v1/cases/{case.pk}/refuse", body, content_type="application/json")
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "body",
    [
        '{"reason": "\\u4e0d\\u7b26\\ud800"}',  # a high surrogate alone
        '{"reason": "\\udfff\\u4e0d\\u7b26"}',  # a low one
        '{"reason": "\\u4e0d\\u7b26", "\\ud83d": 1}',  # in a key
    ],
)
def test_a_lone_surrogate_in_a_refusal_reason_is_a_422_not_a_500(submitted: Case, body: str) -> None:
    status, answer = refuse(submitted, body)

    assert status == 422
    assert answer["code"] == "invalid_body"
    assert (
        answer["message"]
        == "请求内容中含有无效字符（单独的 UTF-16 代理码元，如 \\ud800），请删除后重新提交。"
    )
    assert answer["errors"] == [{"field": "body", "code": "invalid_body", "message": answer["message"]}]
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.SUBMITTED


def test_a_surrogate_pair_is_a_character_like_any_other(submitted: Case) -> None:
    status, answer = refuse(submitted, '{"reason": "\\u4e0d\\u7b26\\ud83d\\ude00"}')  # 不符😀

    assert status == 200, answer
    assert submitted.events.filter(action="refused", comment="不符😀").exists()
