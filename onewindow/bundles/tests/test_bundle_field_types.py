"""A bundle document names each form field's type: whole-number fields survive export and import."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from onewindow.bundles.models import Bundle
from onewindow.bundles.tests.test_bundle_import_and_plan import GYM_YAML
from onewindow.bundles.transfer import ImportFailed, bundle_export, bundle_import
from onewindow.catalog.models import Field

pytestmark = pytest.mark.django_db

LIFEGUARDS = {"code": "gymtest-lifeguards", "label": "救生员人数", "type": "integer", "min_value": 1}


def gym_with_field(field: dict[str, Any]) -> str:
    """The gym document whose swimming permit also asks for `field`."""
    document = yaml.safe_load(GYM_YAML)
    document["fields"].append(field)
    document["items"][1]["form"].append({"field": field["code"]})
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def exported_types(bundle_code: str) -> dict[str, str]:
    return {
        f["code"]: f["type"]
        for f in yaml.safe_load(bundle_export(Bundle.objects.get(code=bundle_code)))["fields"]
    }


def test_an_integer_field_is_imported_as_one() -> None:
    report = bundle_import(gym_with_field(LIFEGUARDS))

    assert report.applied
    assert Field.objects.get(code="gymtest-lifeguards").field_type == Field.Type.INTEGER


def test_an_unknown_field_type_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ImportFailed) as failure:
        bundle_import(gym_with_field({**LIFEGUARDS, "type": "whole"}))

    errors = "\n".join(failure.value.report.errors)
    assert "fields[6].type" in errors
    assert "integer" in errors, "the message lists the types that may be used"
    assert not Field.objects.filter(code__startswith="gymtest-").exists()


def test_the_hotel_export_keeps_counts_whole_and_measures_decimal() -> None:
    types = exported_types("hotel")

    assert types["room_count"] == types["bed_count"] == types["staff_count"] == "integer"
    assert types["tobacco_funds"] == types["daily_discharge_tonnes"] == "number"


def test_importing_an_export_restores_the_whole_number_type() -> None:
    document = bundle_export(Bundle.objects.get(code="hotel"))
    Field.objects.filter(code="room_count").update(field_type=Field.Type.NUMBER)

    bundle_import(document)

    assert Field.objects.get(code="room_count").field_type == Field.Type.INTEGER
    assert exported_types("hotel") == {f["code"]: f["type"] for f in yaml.safe_load(document)["fields"]}


def test_an_older_file_that_says_number_for_a_count_keeps_the_count_whole() -> None:
    bundle_import(gym_with_field(LIFEGUARDS))

    report = bundle_import(gym_with_field({**LIFEGUARDS, "type": "number"}))

    assert report.applied
    assert Field.objects.get(code="gymtest-lifeguards").field_type == Field.Type.INTEGER
    assert any("gymtest-lifeguards" in warning and "保留为整数" in warning for warning in report.warnings)
