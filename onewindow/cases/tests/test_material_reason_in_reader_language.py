"""Why the checklist asks for a material is worded when the page is shown, in the reader's language,
whatever language the case was started in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from onewindow.accounts.models import User
from onewindow.bundles.planner import Condition, material_reason
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case
from onewindow.cases.services import case_start

pytestmark = pytest.mark.django_db


def materials_page(user: User, case: Case, language: str) -> str:
    client = Client()
    client.cookies["django_language"] = language
    client.force_login(user)
    response = client.get(f"/cases/{case.pk}/materials/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_started_in_chinese_reads_in_english(alice: User) -> None:
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))

    page = materials_page(alice, case, "en")

    assert "This material is replaced by notice-and-commitment" in page
    assert "Needed for 《" in page
    assert "需要此材料" not in page


def test_a_case_started_in_english_reads_in_chinese(alice: User) -> None:
    with translation.override("en"):
        case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))

    page = materials_page(alice, case, "zh-hans")

    assert "需要此材料" in page
    assert "Needed for" not in page


def test_the_case_keeps_the_conditions_as_data(alice: User) -> None:
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    lease = next(m for m in case.plan["materials"] if m["code"] == "lease_contract")

    assert lease["conditions"] == [{"question": "经营场所是否为租赁？", "answer": True}]
    assert "reason" not in lease
    conditions = [Condition.from_data(c) for c in lease["conditions"]]
    with translation.override("en"):
        assert material_reason(["旅馆业特种行业许可证"], conditions) == (
            "Needed for 《旅馆业特种行业许可证》 (You answered “Yes” to “经营场所是否为租赁？”)"
        )
    assert material_reason(["旅馆业特种行业许可证"], conditions) == (
        "《旅馆业特种行业许可证》需要此材料（您对“经营场所是否为租赁？”回答了“是”）"
    )


def test_a_case_started_before_keeps_its_stored_sentence(alice: User) -> None:
    case = case_start(bundle_code="hotel", applicant=alice, answers=dict(HOTEL_FOUR_ITEMS))
    for spec in case.plan["materials"]:
        del spec["conditions"]
        spec["reason"] = "旧版办理方案保存的说明"
    Case.objects.filter(pk=case.pk).update(plan=case.plan)

    assert "旧版办理方案保存的说明" in materials_page(alice, case, "zh-hans")
