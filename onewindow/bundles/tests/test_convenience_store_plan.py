"""Planning a convenience store: its own questions and threshold, on the catalogue rows the hotel uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from onewindow.bundles.models import Bundle
from onewindow.bundles.planner import Disposition, Plan, plan_for
from onewindow.bundles.services import BUILTIN_DIR

pytestmark = pytest.mark.django_db

ALL_YES: dict[str, Any] = {
    "premises_leased": "yes",
    "food": "bulk_or_ready",
    "sells_cigarettes": "yes",
    "medical_devices": "yes",
    "publications": "yes",
    "sign_area": "12",
    "by_agent": "yes",
}

SIGN = "large_outdoor_sign_approval"


def store(**answers: Any) -> Plan:
    return plan_for("convenience_store", answers)


def codes(plan: Plan) -> list[str]:
    return [p.item.code for p in plan.items]


def test_a_store_selling_everything_needs_five_items_from_four_departments() -> None:
    plan = store(**ALL_YES)
    assert codes(plan) == [
        "food_business_licence",
        "tobacco_retail_licence",
        "class2_medical_device_filing",
        "publication_retail_licence",
        SIGN,
    ]
    summary = plan.summary
    assert (summary.items, summary.departments, summary.forms_before, summary.forms_after) == (5, 4, 5, 1)
    assert summary.materials_after < summary.materials_before
    assert summary.fields_after < summary.fields_before
    assert summary.materials_committed == 0
    assert plan.commitment == ()


def test_a_store_that_sells_nothing_licensed_needs_no_item() -> None:
    plan = store(food="none", sells_cigarettes="no", medical_devices="no", publications="no", sign_area="0")
    assert plan.items == ()
    assert plan.summary.forms_after == 0


@pytest.mark.parametrize(
    ("food", "expected"),
    [
        ("none", []),
        ("prepackaged", ["prepackaged_food_filing"]),
        ("bulk_or_ready", ["food_business_licence"]),
    ],
)
def test_prepackaged_food_is_filed_and_bulk_or_ready_food_is_licensed(food: str, expected: list[str]) -> None:
    assert codes(store(food=food)) == expected


def test_the_filing_is_an_immediate_filing_not_a_licence() -> None:
    [filing] = store(food="prepackaged").items
    assert filing.item.get_item_type_display() == "行政备案"
    assert filing.item.get_case_type_display() == "即办件"


@pytest.mark.parametrize(
    ("question", "item"),
    [
        ("sells_cigarettes", "tobacco_retail_licence"),
        ("medical_devices", "class2_medical_device_filing"),
        ("publications", "publication_retail_licence"),
    ],
)
def test_each_yes_adds_its_own_item(question: str, item: str) -> None:
    assert codes(store(**{question: "yes"})) == [item]
    assert codes(store(**{question: "no"})) == []


@pytest.mark.parametrize(
    ("area", "needs_approval"),
    [("0", False), ("9.99", False), ("10", True), ("10.01", True), ("500", True)],
)
def test_a_sign_of_ten_square_metres_or_more_needs_the_setting_approval(
    area: str, needs_approval: bool
) -> None:
    plan = store(sign_area=area)
    assert (SIGN in codes(plan)) is needs_approval
    if needs_approval:
        [sign] = plan.items
        assert "门头招牌或户外广告的单面面积是多少？" in sign.reason
        assert "10平方米" in sign.reason


def test_a_sign_on_a_leased_building_needs_the_owners_consent() -> None:
    leased = {m.material.code for m in store(sign_area="20", premises_leased="yes").materials}
    owned = {m.material.code: m for m in store(sign_area="20", premises_leased="no").materials}
    assert "building_owner_consent" in leased
    assert "building_owner_consent" not in owned
    assert owned["property_certificate"].disposition == Disposition.SHARED


def test_the_store_and_the_hotel_share_catalogue_rows() -> None:
    store_plan = store(**ALL_YES)
    hotel_plan = plan_for("hotel", {"sells_cigarettes": "yes", "food": "meals", "premises_leased": "yes"})
    store_items = {p.item.code: p.item for p in store_plan.items}
    hotel_items = {p.item.code: p.item for p in hotel_plan.items}
    for code in ("tobacco_retail_licence", "food_business_licence"):
        assert store_items[code].pk == hotel_items[code].pk
        assert set(store_items[code].bundles.values_list("code", flat=True)) >= {"hotel", "convenience_store"}
    assert store_items["tobacco_retail_licence"].department.code == "429006-yc"
    store_materials = {m.material.code: m.material.pk for m in store_plan.materials}
    hotel_materials = {m.material.code: m.material.pk for m in hotel_plan.materials}
    for code in ("business_licence", "application_form", "lease_contract", "floor_plan"):
        assert store_materials[code] == hotel_materials[code]


def test_the_shared_tobacco_item_asks_for_the_same_materials_in_both_bundles() -> None:
    answers = {"sells_cigarettes": "yes", "premises_leased": "yes", "by_agent": "yes"}

    def tobacco_materials(plan: Plan) -> set[str]:
        return {
            m.material.code
            for m in plan.materials
            if any(i.code == "tobacco_retail_licence" for i in m.items)
        }

    in_store = tobacco_materials(store(**answers))
    assert in_store == tobacco_materials(plan_for("hotel", answers))
    assert {"application_form", "lease_contract", "authorisation_letter", "location_sketch"} <= in_store


def test_both_documents_define_every_shared_row_identically() -> None:
    """The later import overwrites the earlier one: a difference would silently change the other bundle."""
    documents = [
        yaml.safe_load(Path(BUILTIN_DIR, name).read_text(encoding="utf-8"))
        for name in ("hotel.yaml", "convenience_store.yaml")
    ]
    hotel_doc, store_doc = documents
    shared = 0
    for section in ("departments", "materials", "fields", "items"):
        in_hotel = {entry["code"]: entry for entry in hotel_doc[section]}
        for entry in store_doc[section]:
            if entry["code"] in in_hotel:
                shared += 1
                assert entry == in_hotel[entry["code"]], f"{section}: {entry['code']}"
    assert shared > 0
    assert Bundle.objects.get(code="convenience_store").lead_department.code == "429006-scjg"
