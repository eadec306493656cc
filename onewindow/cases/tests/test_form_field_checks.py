"""Per-field checks of the form: dates as 年-月-日 only, whole-number fields in whole numbers."""

from __future__ import annotations

import importlib
import json
from typing import Any, cast

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, fill_case
from onewindow.cases.formcheck import check_value
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import case_form_save, case_start

DATE = {"code": "opening_date", "label": "拟开业日期", "type": "date", "required": True}
DATE_PROBLEM = "“拟开业日期”请按 年-月-日 填写，如 2026-12-01。"
HALF_A_ROOM = "“客房数量（间）”请填写整数。"


def spec(kind: str, label: str, **limits: Any) -> dict[str, Any]:
    return {"code": "n", "label": label, "type": kind, "required": True, **limits}


@pytest.mark.parametrize("text", ["20260101", "2026-W01-1", "2026-1-1", "2026-02-30", "２０２６-１２-０１"])
def test_a_date_not_written_as_year_month_day_is_refused(text: str) -> None:
    assert check_value(DATE, text) == DATE_PROBLEM


def test_a_date_written_as_year_month_day_is_taken() -> None:
    assert check_value(DATE, "2026-12-01") is None
    assert check_value(DATE, " 2026-12-01 ") is None


@pytest.mark.parametrize("text", ["1.5", "12.01", "1e3", "1_000"])
def test_a_whole_number_field_refuses_anything_but_a_whole_number(text: str) -> None:
    rooms = spec("integer", "客房数量（间）", min="1.00", max="3000.00")
    assert check_value(rooms, text) == HALF_A_ROOM


@pytest.mark.parametrize("text", ["12", " 12 ", "12.0", "+12", "１２"])
def test_a_whole_number_field_takes_a_whole_number(text: str) -> None:
    assert check_value(spec("integer", "客房数量（间）", min="1.00", max="3000.00"), text) is None


def test_a_whole_number_field_keeps_the_limits_and_the_number_check() -> None:
    rooms = spec("integer", "客房数量（间）", min="1.00", max="3000.00")
    assert check_value(rooms, "0") == "“客房数量（间）”不能小于 1。"
    assert check_value(rooms, "3001") == "“客房数量（间）”不能大于 3000。"
    assert check_value(rooms, "十二") == "“客房数量（间）”请填写数字。"
    assert check_value(rooms, "") == "请填写“客房数量（间）”。"


@pytest.mark.parametrize(
    "label", ["经营资金（万元）", "日排水量（吨）", "与最近中小学校、幼儿园的距离（米）"]
)
def test_a_number_field_keeps_its_decimals(label: str) -> None:
    assert check_value(spec("number", label, min="0.10", max="10000.00"), "1.5") is None
    assert (
        check_value(spec("number", label, min="0.10", max="10000.00"), "0.05") == f"“{label}”不能小于 0.1。"
    )


def test_the_field_type_decides_not_the_label() -> None:
    """A number field counting rooms takes decimals: whole numbers only is the integer type's rule."""
    assert check_value(spec("number", "客房数量（间）"), "1.5") is None


# ---------------------------------------------------------------- saving a draft


@pytest.fixture
def tobacco_case(alice: User) -> Case:
    """A filled hotel case that also sells cigarettes: its form counts rooms and measures funds in 万元."""
    case = case_start(
        bundle_code="hotel", applicant=alice, answers={**HOTEL_FOUR_ITEMS, "sells_cigarettes": "yes"}
    )
    fill_case(case, alice)
    return case


def put_form(client: Client, case: Case, data: dict[str, Any]) -> Any:
    return client.put(
        f"/api/v1/cases/{case.pk}/form", json.dumps({"data": data}), content_type="application/json"
    )


@pytest.mark.django_db
def test_saving_half_a_room_reports_it(filled_case: Case, alice: User) -> None:
    problems = case_form_save(
        case=filled_case, user=alice, data={"room_count": "1.5", "opening_date": "20261201"}
    )

    assert problems == {"room_count": HALF_A_ROOM, "opening_date": DATE_PROBLEM}


@pytest.mark.django_db
def test_the_api_refuses_half_a_room_and_takes_decimal_funds(
    client: Client, tobacco_case: Case, alice: User
) -> None:
    client.force_login(alice)

    response = put_form(client, tobacco_case, {"room_count": 1.5, "tobacco_funds": "2.5"})

    assert response.status_code == 200, response.content.decode()
    assert response.json()["problems"] == {"room_count": HALF_A_ROOM}
    tobacco_case.refresh_from_db()
    assert tobacco_case.form_data["room_count"] == "1.5", "a draft keeps what was typed"
    assert tobacco_case.form_data["tobacco_funds"] == "2.5"
    submit = client.post(
        f"/api/v1/cases/{tobacco_case.pk}/submit",
        json.dumps({"key": "half-a-room"}),
        content_type="application/json",
    )
    assert submit.status_code == 422
    assert [(e["field"], e["message"]) for e in submit.json()["errors"]] == [("room_count", HALF_A_ROOM)]


@pytest.mark.django_db
def test_the_form_page_refuses_half_a_room_and_takes_decimal_funds(
    client: Client, tobacco_case: Case, alice: User
) -> None:
    client.force_login(alice)
    save = reverse("cases:form_save", args=[tobacco_case.pk])
    headers = {"HX-Request": "true"}

    rooms = client.post(save, {"room_count": "1.5"}, headers=headers).content.decode()
    funds = client.post(save, {"tobacco_funds": "2.5"}, headers=headers).content.decode()

    assert HALF_A_ROOM in rooms
    assert 'inputmode="numeric"' in rooms
    assert "请填写" not in funds
    assert 'inputmode="decimal"' in funds


# ---------------------------------------------------------------- cases opened before whole-number fields

CASES_MIGRATION = "0005_plan_form_integer_types"


def migration_state(app: str, name: str) -> tuple[Any, Apps]:
    """The migration's module and the models as they are right after it."""
    module = importlib.import_module(f"onewindow.{app}.migrations.{name}")
    return module, MigrationLoader(connection).project_state((app, name)).apps


def types_of(case: Case) -> dict[str, str]:
    case.refresh_from_db()
    return {s["code"]: s["type"] for s in case.plan["form"]}


def before_whole_numbers(plan: dict[str, Any]) -> dict[str, Any]:
    """The snapshot as it was stored before a field could be of whole numbers."""
    return cast(dict[str, Any], json.loads(json.dumps(plan).replace('"type": "integer"', '"type": "number"')))


def copy_with_plan(case: Case, plan: Any) -> Case:
    copy = Case.objects.get(pk=case.pk)
    copy.pk, copy.number, copy.plan = None, None, plan
    copy.save()
    return copy


@pytest.mark.django_db
def test_a_draft_opened_before_the_change_gets_the_whole_number_check(
    tobacco_case: Case, filled_case: Case, alice: User
) -> None:
    Case.objects.filter(pk=tobacco_case.pk).update(plan=before_whole_numbers(tobacco_case.plan))
    tobacco_case.refresh_from_db()
    # An approved case's form is only read again: its snapshot is left as it was stored.
    Case.objects.filter(pk=filled_case.pk).update(
        status=CaseStatus.APPROVED, plan=before_whole_numbers(filled_case.plan)
    )
    approved = Case.objects.get(pk=filled_case.pk).plan
    # Snapshots of a shape no release wrote are passed over, not a reason to stop the upgrade.
    odd_plans: list[Any] = [{"form": {"room_count": "number"}}, {"form": ["room_count"]}, []]
    odd = [copy_with_plan(tobacco_case, plan) for plan in odd_plans]
    assert case_form_save(case=tobacco_case, user=alice, data={"room_count": "1.5"}) == {}
    migration, apps = migration_state("cases", CASES_MIGRATION)

    migration.snapshots_take_integer(apps, None)

    types = types_of(tobacco_case)
    assert types["room_count"] == types["staff_count"] == "integer"
    assert types["tobacco_funds"] == "number"
    assert case_form_save(case=tobacco_case, user=alice, data={"room_count": "1.5"}) == {
        "room_count": HALF_A_ROOM
    }
    assert Case.objects.get(pk=filled_case.pk).plan == approved
    assert types_of(filled_case)["room_count"] == "number"
    assert [Case.objects.get(pk=case.pk).plan for case in odd] == [case.plan for case in odd]

    migration.snapshots_back_to_number(apps, None)

    types = types_of(tobacco_case)
    assert types["room_count"] == types["staff_count"] == types["tobacco_funds"] == "number"
