"""The draft form keeps what a person types: lists, objects and true/false are refused, text is trimmed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.models import Case
from onewindow.cases.services import case_form_save

API = "/api/v1"


def put_form(client: Client, case: Case, data: dict[str, Any]) -> Any:
    return client.put(
        f"{API}/cases/{case.pk}/form", json.dumps({"data": data}), content_type="application/json"
    )


@pytest.mark.django_db
def test_a_list_or_object_is_refused_and_nothing_is_saved(
    client: Client, filled_case: Case, alice: User
) -> None:
    before = dict(filled_case.form_data)
    client.force_login(alice)

    response = put_form(
        client,
        filled_case,
        {"enterprise_name": ["a"], "room_count": {"a": 1}, "contact_person": "李四"},
    )

    assert response.status_code == 422, response.content.decode()
    body = response.json()
    assert body["code"] == "field_type"
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "enterprise_name": "请填写文字或数字。",
        "room_count": "请填写文字或数字。",
    }
    filled_case.refresh_from_db()
    assert filled_case.form_data == before, "the valid field sent alongside is not saved either"


@pytest.mark.django_db
@pytest.mark.parametrize("value", [True, False, [], ["12"], {"value": "12"}])
def test_a_value_no_one_types_is_refused(filled_case: Case, alice: User, value: Any) -> None:
    before = filled_case.form_data["room_count"]
    with pytest.raises(CaseInvalid) as refused:
        case_form_save(case=filled_case, user=alice, data={"room_count": value})
    assert refused.value.code == "field_type"
    assert refused.value.fields == {"room_count": "请填写文字或数字。"}
    filled_case.refresh_from_db()
    assert filled_case.form_data["room_count"] == before, "the value typed before is kept"


@pytest.mark.django_db
def test_numbers_become_text_and_text_is_trimmed(client: Client, filled_case: Case, alice: User) -> None:
    client.force_login(alice)

    response = put_form(
        client, filled_case, {"room_count": 123, "bed_count": "  12 ", "contact_person": " 李四\n"}
    )

    assert response.status_code == 200, response.content.decode()
    assert response.json()["problems"] == {}
    filled_case.refresh_from_db()
    assert filled_case.form_data["room_count"] == "123"
    assert filled_case.form_data["bed_count"] == "12"
    assert filled_case.form_data["contact_person"] == "李四"
