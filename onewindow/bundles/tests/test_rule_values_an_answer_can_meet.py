"""A rule's value must be one the question can be answered with: a threshold of NaN or Infinity on a
number question is refused, in the import and on the bundle's admin page, so the questionnaire
and the plan API keep working for everyone.

The rule is the hotel's "排水量 > 0 → 城镇污水排入排水管网许可".
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import html as lhtml

from onewindow.bundles.models import Bundle, Question, Rule

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/bundles/bundle/import/"
HOTEL_YAML = Path(__file__).resolve().parents[1] / "data" / "hotel.yaml"


@pytest.fixture
def staff() -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username="admin", password="OneWindow-2026")
    return client


def discharge_rule_index(document: dict[str, Any]) -> int:
    return next(i for i, r in enumerate(document["bundle"]["rules"]) if r["question"] == "daily_discharge")


def bundle_form(staff: Client, bundle: Bundle) -> dict[str, Any]:
    """The hotel bundle's admin form as the page sends it."""
    page = staff.get(reverse("admin:bundles_bundle_change", args=[bundle.pk])).content.decode()
    return dict(lhtml.fromstring(page).get_element_by_id("bundle_form").form_values())


def inline_row(data: dict[str, Any], prefix: str, pk: int) -> str:
    """The form prefix ("rules-3") of the inline row showing the row with this id."""
    return next(
        key.removesuffix("-id")
        for key, value in data.items()
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk)
    )


@pytest.mark.parametrize("threshold", ["NaN", "sNaN", "Infinity", "-inf"])
def test_a_threshold_that_is_not_a_number_is_refused_at_import(
    staff: Client, client: Client, threshold: str
) -> None:
    document = copy.deepcopy(yaml.safe_load(HOTEL_YAML.read_text(encoding="utf-8")))
    index = discharge_rule_index(document)
    document["bundle"]["rules"][index]["value"] = threshold
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)

    response = staff.post(IMPORT_URL, {"document": SimpleUploadedFile("hotel.yaml", text.encode())})

    assert response.status_code == 422
    assert response.context["errors"] == [
        f"bundle.rules[{index}].value：数字题的规则取值应为数字，如 300（不能是 NaN 或 Infinity）。"
    ]
    assert client.get("/bundles/hotel/", {"daily_discharge": "3"}).status_code == 200
    plan = client.post(
        "/api/v1/bundles/hotel/plan", {"answers": {"daily_discharge": 3}}, content_type="application/json"
    )
    assert plan.status_code == 200
    assert "sewage_discharge_permit" in [item["code"] for item in plan.json()["items"]]


def test_the_bundle_admin_refuses_a_threshold_that_is_not_a_number(staff: Client) -> None:
    bundle = Bundle.objects.get(code="hotel")
    rule = Rule.objects.get(bundle=bundle, question__code="daily_discharge")
    data = bundle_form(staff, bundle)
    data[f"{inline_row(data, 'rules', rule.pk)}-value"] = "NaN"

    response = staff.post(reverse("admin:bundles_bundle_change", args=[bundle.pk]), data)

    assert response.status_code == 200, "the page is shown again with the error"
    assert "数字题的规则取值应为数字，如 300（不能是 NaN 或 Infinity）。" in response.content.decode()
    assert Rule.objects.get(pk=rule.pk).value == "0"


def test_the_bundle_admin_refuses_a_yes_no_rule_on_another_word(staff: Client) -> None:
    bundle = Bundle.objects.get(code="hotel")
    rule = Rule.objects.filter(bundle=bundle, question__code="pool").first()
    assert rule is not None
    data = bundle_form(staff, bundle)
    data[f"{inline_row(data, 'rules', rule.pk)}-value"] = "maybe"

    response = staff.post(reverse("admin:bundles_bundle_change", args=[bundle.pk]), data)

    assert response.status_code == 200
    assert "是/否问题的规则取值只能是 yes 或 no。" in response.content.decode()


def test_the_bundle_admin_refuses_a_minimum_above_the_maximum(staff: Client) -> None:
    bundle = Bundle.objects.get(code="hotel")
    question = Question.objects.get(bundle=bundle, code="daily_discharge")
    data = bundle_form(staff, bundle)
    row = inline_row(data, "questions", question.pk)
    data.update({f"{row}-min_value": "100", f"{row}-max_value": "1"})

    response = staff.post(reverse("admin:bundles_bundle_change", args=[bundle.pk]), data)

    assert response.status_code == 200
    assert "最小值大于最大值，任何回答都不会被接受；请改正其中一个。" in response.content.decode()
    assert Question.objects.get(pk=question.pk).min_value == 0


def test_the_bundle_admin_still_saves_the_hotel_bundle_as_it_is(staff: Client) -> None:
    bundle = Bundle.objects.get(code="hotel")

    response = staff.post(
        reverse("admin:bundles_bundle_change", args=[bundle.pk]), bundle_form(staff, bundle)
    )

    assert response.status_code == 302
