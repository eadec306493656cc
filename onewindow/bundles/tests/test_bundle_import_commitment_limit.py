"""An item's commitment-route limit (commitment_limit_days) in a bundle file: a wrong one is listed
with its place and nothing is written; export and import carry it from one system to the other.

The file is the hotel bundle's own export; items[1] is 消防 (promised 5, commitment limit 1) and
food_business_licence does not support the commitment.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from onewindow.bundles.models import Bundle
from onewindow.bundles.transfer import ImportFailed, bundle_export, bundle_import
from onewindow.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db

FIRE = "fire_safety_check"
FOOD = "food_business_licence"


def exported() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(bundle_export(Bundle.objects.get(code="hotel")))
    return document


def place(document: dict[str, Any], code: str) -> tuple[int, dict[str, Any]]:
    return next((i, item) for i, item in enumerate(document["items"]) if item["code"] == code)


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def import_errors(document: dict[str, Any]) -> list[str]:
    try:
        bundle_import(dump(document))
    except ImportFailed as failure:
        return failure.report.errors
    return []


@pytest.mark.parametrize(
    ("code", "days", "problem"),
    [
        (FIRE, -1, "应为 0 到 32767 之间的整数"),
        (FIRE, "一天", "应为 0 到 32767 之间的整数"),
        (FIRE, 6, "告知承诺办理时限（6 个工作日）不能超过承诺办结时限（5 个工作日）"),
        (FOOD, 1, "本事项不实行告知承诺，不能填写告知承诺办理时限"),
    ],
)
def test_a_wrong_commitment_limit_is_reported_at_its_place_and_nothing_is_written(
    code: str, days: Any, problem: str
) -> None:
    document = exported()
    index, item = place(document, code)
    item["commitment_limit_days"] = days

    [error] = import_errors(document)

    assert error.startswith(f"items[{index}].commitment_limit_days：")
    assert problem in error
    assert ServiceItem.objects.get(code=code).commitment_limit_days == (1 if code == FIRE else None)


def test_a_commitment_limit_over_a_promised_limit_lowered_in_the_same_file_is_reported() -> None:
    document = exported()
    index, item = place(document, FIRE)
    item["promised_limit_days"] = 2
    item["commitment_limit_days"] = 3

    [error] = import_errors(document)

    assert error.startswith(f"items[{index}].commitment_limit_days：")
    assert "不能超过承诺办结时限（2 个工作日）" in error


def test_export_then_import_keeps_the_commitment_limit_and_its_removal() -> None:
    document = exported()
    assert place(document, FIRE)[1]["commitment_limit_days"] == 1
    assert place(document, "special_trade_hotel_licence")[1]["commitment_limit_days"] is None
    assert "commitment_limit_days" not in place(document, FOOD)[1], "only items with the commitment"
    ServiceItem.objects.filter(code=FIRE).update(commitment_limit_days=None)

    bundle_import(dump(document))

    assert ServiceItem.objects.get(code=FIRE).commitment_limit_days == 1
    place(document, FIRE)[1]["commitment_limit_days"] = None
    bundle_import(dump(document))
    assert ServiceItem.objects.get(code=FIRE).commitment_limit_days is None, "a limit removed is removed"


def test_a_limit_of_0_survives_the_round_trip() -> None:
    document = exported()
    place(document, FIRE)[1]["commitment_limit_days"] = 0

    bundle_import(dump(document))

    assert ServiceItem.objects.get(code=FIRE).commitment_limit_days == 0
    assert place(exported(), FIRE)[1]["commitment_limit_days"] == 0


def test_an_older_file_without_the_key_keeps_the_limit_unless_the_item_drops_the_commitment() -> None:
    document = exported()
    for item in document["items"]:
        item.pop("commitment_limit_days", None)
    _index, hygiene = place(document, "public_place_hygiene_licence")
    hygiene["supports_commitment"] = False

    bundle_import(dump(document))

    assert ServiceItem.objects.get(code=FIRE).commitment_limit_days == 1
    assert ServiceItem.objects.get(code="public_place_hygiene_licence").commitment_limit_days is None
