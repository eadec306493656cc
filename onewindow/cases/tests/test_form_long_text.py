"""Text is never cut: a value within the field's own limit is kept whole, one beyond it is kept with
its problem, and one beyond any field's limit is refused with a message, nothing saved."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.formcheck import FORM_VALUE_MAX
from onewindow.cases.models import Case
from onewindow.cases.services import case_form_save

FIELD = "fire_facilities"


def with_limit(case: Case, limit: int) -> Case:
    plan = case.plan
    next(s for s in plan["form"] if s["code"] == FIELD)["max_length"] = limit
    Case.objects.filter(pk=case.pk).update(plan=plan)
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_600_characters_in_a_field_of_1000_are_kept_whole(draft: Case, alice: User) -> None:
    draft = with_limit(draft, 1000)
    text = "室内消火栓、" * 100  # 600 characters

    problems = case_form_save(case=draft, user=alice, data={FIELD: text})

    draft.refresh_from_db()
    assert FIELD not in problems
    assert draft.form_data[FIELD] == text


@pytest.mark.django_db
def test_text_beyond_the_fields_own_limit_is_kept_and_its_limit_reported(draft: Case, alice: User) -> None:
    draft = with_limit(draft, 300)
    text = "室内消火栓、" * 100

    problems = case_form_save(case=draft, user=alice, data={FIELD: text})

    draft.refresh_from_db()
    assert draft.form_data[FIELD] == text
    assert "不能超过 300 个字" in problems[FIELD]
    assert "当前 600 个字" in problems[FIELD]


@pytest.mark.django_db
def test_text_beyond_any_fields_limit_is_refused_not_cut(draft: Case, alice: User) -> None:
    draft = with_limit(draft, 300)
    before = dict(draft.form_data)

    with pytest.raises(CaseInvalid) as refused:
        case_form_save(
            case=draft, user=alice, data={FIELD: "长" * (FORM_VALUE_MAX + 1), "contact_person": "王五"}
        )

    assert refused.value.code == "text_too_long"
    assert "最多 300 个字" in refused.value.fields[FIELD]
    draft.refresh_from_db()
    assert draft.form_data == before


@pytest.mark.django_db
def test_the_api_answers_an_over_long_value_with_a_422_naming_the_field(draft: Case, alice: User) -> None:
    client = Client()
    client.force_login(alice)

    response = client.put(
        f"/api/v1/cases/{draft.pk}/form",
        json.dumps({"data": {FIELD: "长" * (FORM_VALUE_MAX + 1)}}),
        content_type="application/json",
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "text_too_long"
    assert [e["field"] for e in body["errors"]] == [FIELD]


@pytest.mark.django_db
def test_the_page_keeps_what_was_typed_when_it_is_refused(draft: Case, alice: User) -> None:
    client = Client()
    client.force_login(alice)
    typed = "长" * (FORM_VALUE_MAX + 1)

    response = client.post(reverse("cases:form", args=[draft.pk]), {FIELD: typed, "save": "1"})

    page = response.content.decode()
    assert response.status_code == 422
    assert f'value="{typed}"' in page
    error = page.split(f'id="error-{FIELD}">')[1].split("</p>")[0]
    assert "没有保存" in error
