"""Planning a hotel: the reform's figures, the items every hotel needs, and why each material is listed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onewindow.bundles.planner import Disposition, Plan, PlanMaterial, plan_for
from onewindow.catalog.models import ItemMaterial, ServiceItem

pytestmark = pytest.mark.django_db

# Every optional answer at the option that applies something: the reform's "9 items, 83 → 26".
ALL_YES: dict[str, Any] = {
    "premises_leased": "yes",
    "food": "meals",
    "sells_cigarettes": "yes",
    "lifts_or_boilers": "yes",
    "pool": "yes",
    "entertainment": "yes",
    "central_ac": "yes",
    "daily_discharge": "5",
    "by_agent": "yes",
    "use_commitment": "yes",
}

SPECIAL_TRADE = "旅馆业特种行业许可证核发"
FIRE_CHECK = "公众聚集场所投入使用、营业前消防安全检查"
HYGIENE = "公共场所卫生许可"
AC_QUESTION = "是否使用集中空调通风系统？"


def hotel(**answers: Any) -> Plan:
    return plan_for("hotel", answers)


def all_yes(**changes: Any) -> Plan:
    return plan_for("hotel", {**ALL_YES, **changes})


def item_names(plan: Plan) -> set[str]:
    return {p.item.name for p in plan.items}


def checklist(plan: Plan) -> dict[str, PlanMaterial]:
    return {m.material.code: m for m in plan.materials}


def test_every_answer_yes_gives_the_reforms_figures() -> None:
    summary = all_yes().summary
    assert (summary.items, summary.departments) == (9, 8)
    assert (summary.forms_before, summary.forms_after) == (9, 1)
    assert (summary.materials_before, summary.materials_after) == (83, 26)
    assert summary.fields_before > summary.fields_after
    assert summary.parallel_days < summary.serial_days


def test_the_parallel_duration_is_the_fire_check_followed_by_the_special_trade_permit() -> None:
    plan = all_yes()
    limits = {p.item.code: p.limit_days for p in plan.items}
    chain = limits.pop("fire_safety_check") + limits.pop("special_trade_hotel_licence")
    # With the commitment the fire check is decided within its commitment route's limit (1 working day).
    assert chain == 1 + ServiceItem.objects.get(name=SPECIAL_TRADE).promised_limit_days
    assert plan.summary.parallel_days == max(chain, *limits.values())
    assert plan.summary.serial_days == chain + sum(limits.values())


def test_without_answers_only_the_three_items_every_hotel_needs_remain() -> None:
    plan = hotel()
    assert item_names(plan) == {SPECIAL_TRADE, FIRE_CHECK, HYGIENE}
    assert plan.summary.departments == 3
    assert all(p.reason == "本行业开业必须办理" for p in plan.items)
    assert "use_commitment" in {q.code for q in plan.unanswered}


def test_declining_the_commitment_means_more_uploads_and_no_commitment_letter() -> None:
    committed, declined = all_yes(), all_yes(use_commitment="no")
    assert declined.summary.materials_after > committed.summary.materials_after == 26
    assert declined.summary.materials_committed == 0
    assert declined.commitment == ()
    assert not any(p.commitment for p in declined.items)
    # What the commitment letter replaced must now be uploaded instead.
    replaced = {m.material.code for m in committed.materials if m.disposition == Disposition.COMMITMENT}
    uploads = {m.material.code for m in declined.uploads}
    assert replaced
    assert replaced <= uploads


def test_the_commitment_letter_has_a_clause_for_each_replaced_material_and_committed_item() -> None:
    plan = all_yes()
    committed_items = {p.item.name for p in plan.items if p.commitment}
    assert committed_items == {SPECIAL_TRADE, FIRE_CHECK, HYGIENE, "城镇污水排入排水管网许可"}
    clauses = [c.text for c in plan.commitment]
    for material in plan.materials:
        if material.disposition == Disposition.COMMITMENT:
            assert material.material.commitment_clause in clauses, material.material.code


@pytest.mark.parametrize(
    "answers", [ALL_YES, {}, {**ALL_YES, "use_commitment": "no"}], ids=["yes", "none", "no"]
)
def test_every_checklist_entry_says_which_items_need_it_and_how_it_is_handed_in(
    answers: dict[str, Any],
) -> None:
    plan = plan_for("hotel", answers)
    for entry in plan.materials:
        assert entry.items, entry.material.code
        assert any(f"《{item.name}》" in entry.reason for item in entry.items), entry.reason
        assert entry.disposition_reason
        assert entry.material.description, f"{entry.material.code} tells the applicant nothing"


def test_each_material_appears_once_in_the_checklist() -> None:
    plan = all_yes()
    codes = [m.material.code for m in plan.materials]
    assert len(codes) == len(set(codes))
    summary = plan.summary
    assert len(codes) == summary.materials_after + summary.materials_shared + summary.materials_committed


def test_licence_and_id_come_from_the_library_instead_of_being_uploaded() -> None:
    materials = checklist(all_yes())
    assert materials["business_licence"].disposition == Disposition.SHARED
    assert materials["legal_rep_id"].disposition == Disposition.SHARED
    assert "营业执照" in materials["business_licence"].disposition_reason


def test_the_special_trade_permit_waits_for_the_fire_safety_check() -> None:
    for plan in (hotel(), all_yes()):
        special_trade = next(p for p in plan.items if p.item.name == SPECIAL_TRADE)
        assert [i.name for i in special_trade.prerequisites] == [FIRE_CHECK]
        assert any("消防安全检查" in note for note in special_trade.dependency_notes)


def test_the_air_conditioning_report_is_asked_for_only_with_central_air_conditioning() -> None:
    with_ac = checklist(all_yes(central_ac="yes"))["ac_test_report"]
    assert [i.name for i in with_ac.items] == [HYGIENE]
    assert AC_QUESTION in with_ac.reason
    assert "“是”" in with_ac.reason
    assert "ac_test_report" not in checklist(all_yes(central_ac="no"))
    assert "ac_test_report" not in checklist(hotel())


def test_a_material_used_by_several_items_lists_all_of_them() -> None:
    plan = all_yes()
    materials = checklist(plan)
    assert set(materials["business_licence"].items) == {p.item for p in plan.items}
    floor_plan_items = {
        r.item for r in ItemMaterial.objects.filter(material__code="floor_plan").select_related("item")
    } & {p.item for p in plan.items}
    assert len(floor_plan_items) > 1
    assert set(materials["floor_plan"].items) == floor_plan_items
    for item in floor_plan_items:
        assert f"《{item.name}》" in materials["floor_plan"].reason


@pytest.mark.parametrize(
    ("leased", "expected", "absent"),
    [("yes", "lease_contract", "property_certificate"), ("no", "property_certificate", "lease_contract")],
)
def test_leased_premises_upload_the_lease_and_owned_premises_use_the_registered_deed(
    leased: str, expected: str, absent: str
) -> None:
    materials = checklist(all_yes(premises_leased=leased))
    assert absent not in materials
    disposition = Disposition.UPLOAD if expected == "lease_contract" else Disposition.SHARED
    assert materials[expected].disposition == disposition


@pytest.mark.parametrize(
    ("food", "needs_licence"),
    [("none", False), ("prepackaged", False), ("breakfast", True), ("meals", True)],
)
def test_only_breakfast_or_meals_need_the_food_business_licence(food: str, needs_licence: bool) -> None:
    assert ("食品经营许可" in item_names(hotel(food=food))) is needs_licence


@pytest.mark.parametrize(("tonnes", "needs_permit"), [("0", False), ("0.5", True), ("10000", True)])
def test_any_discharge_to_the_municipal_sewer_needs_the_discharge_permit(
    tonnes: str, needs_permit: bool
) -> None:
    assert ("城镇污水排入排水管网许可" in item_names(hotel(daily_discharge=tonnes))) is needs_permit


@pytest.mark.parametrize(
    ("question", "item"),
    [
        ("lifts_or_boilers", "特种设备使用登记"),
        ("sells_cigarettes", "烟草专卖零售许可证核发"),
        ("pool", "经营高危险性体育项目许可（游泳）"),
        ("entertainment", "娱乐场所经营许可"),
    ],
)
def test_each_yes_adds_its_own_item(question: str, item: str) -> None:
    assert item in item_names(hotel(**{question: "yes"}))
    assert item not in item_names(hotel(**{question: "no"}))


def test_every_item_publishes_a_complete_guide() -> None:
    for plan_item in all_yes().items:
        item = plan_item.item
        assert item.legal_basis, item.code
        assert item.conditions, item.code
        assert item.result_name, item.code
        assert re.fullmatch(r"[0-9]{32}", item.implementation_code), item.code
        assert item.promised_limit_days < item.statutory_limit_days, item.code
        assert 2 <= item.steps.count() <= 4, item.code
        assert item.complaint_phone == "12345"
        assert item.consult_phone.startswith("0728-")
        assert "60日内" in item.legal_remedy, item.code
        assert "6个月内" in item.legal_remedy, item.code
        assert item.supports_commitment == bool(item.commitment_clause), item.code
