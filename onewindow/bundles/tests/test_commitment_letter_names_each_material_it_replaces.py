"""The commitment letter says which material each material clause replaces, as item clauses name
their item: "关于免交《消防安全制度》：…", not an anonymous "关于免交材料：…"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.bundles.planner import Disposition, plan_for
from onewindow.cases.services import plan_snapshot

pytestmark = pytest.mark.django_db

# The hotel's fullest scenario (hotel.yaml), on the commitment route.
HOTEL_ALL_YES = {
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


def without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


def clauses(body: str) -> list[str]:
    """The specific commitment clauses of the letter, as text without markup or spaces."""
    listing = re.search(r'<ol class="clauses" id="commitment-clauses">(.*?)</ol>', body, re.S)
    assert listing is not None
    return [
        re.sub(r"<[^>]+>|\s+", "", li) for li in re.findall(r"<li[^>]*>(.*?)</li>", listing.group(1), re.S)
    ]


def test_every_material_clause_of_the_hotel_letter_names_its_material(client: Client) -> None:
    body = client.get(reverse("bundles:commitment", args=["hotel"]), HOTEL_ALL_YES).content.decode()
    plan = plan_for("hotel", HOTEL_ALL_YES)
    replaced = [
        m.material
        for m in plan.materials
        if m.disposition == Disposition.COMMITMENT and m.material.commitment_clause
    ]
    assert len(replaced) == 10

    shown = clauses(body)
    for material in replaced:
        assert without_spaces(f"关于免交《{material.name}》：{material.commitment_clause}") in shown
    assert "关于免交材料：" not in body
    # Item clauses keep naming their item.
    for plan_item in plan.items:
        if plan_item.commitment and plan_item.item.commitment_clause:
            assert any(text.startswith(without_spaces(f"关于《{plan_item.item.name}》：")) for text in shown)


def test_the_material_clauses_follow_the_list_of_materials_replaced_each_once(client: Client) -> None:
    body = client.get(reverse("bundles:commitment", args=["hotel"]), HOTEL_ALL_YES).content.decode()
    listed = re.search(r"以本承诺书替代、无需提交的材料：(.*?)</p>", body, re.S)
    assert listed is not None

    named = re.findall(r"关于免交《(.*?)》：", body)

    assert named
    assert len(named) == len(set(named)), "each material's clause appears once, in one place"
    places = [listed.group(1).find(name) for name in named]
    assert -1 not in places
    assert places == sorted(places)


def test_a_case_started_from_the_plan_keeps_which_material_each_clause_replaces() -> None:
    plan = plan_for("hotel", HOTEL_ALL_YES)

    kept = plan_snapshot(plan)["commitment"]

    for clause, entry in zip(plan.commitment, kept, strict=True):
        assert entry["material"] == (clause.material.name if clause.material else "")
        assert entry["item"] == (clause.item.name if clause.item else "")
    assert sum(1 for entry in kept if entry["material"]) == 10


@pytest.mark.django_db
def test_the_letter_the_applicant_signs_names_each_material(alice: User) -> None:
    from onewindow.cases.demo import HOTEL_FOUR_ITEMS
    from onewindow.cases.services import case_start, commitment_text

    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    letter = commitment_text(case)

    replaced = [c["material"] for c in case.plan["commitment"] if c["material"]]
    assert replaced
    for name in replaced:
        assert f"免交《{name}》：" in letter


@pytest.mark.django_db
def test_the_plan_api_names_the_material_of_each_clause(client: Client) -> None:
    plan = client.post(
        "/api/v1/bundles/hotel/plan", {"answers": {"use_commitment": "yes"}}, content_type="application/json"
    ).json()

    materials = [c["material"] for c in plan["commitment"] if c["item"] is None]
    assert materials and all(materials)
