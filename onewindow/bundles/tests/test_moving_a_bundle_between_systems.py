"""A bundle designed on a test system is exported and imported on production (the user guide's way):
production ends up with the same bundle, licence-number rules, 样表说明 and publication state.

"The other system" is the seeded one with those values reset to what a fresh system has.
"""

from __future__ import annotations

import pytest
import yaml

from onewindow.bundles.models import Bundle
from onewindow.bundles.transfer import ImportFailed, bundle_export, bundle_import
from onewindow.catalog.models import Department, Material, ServiceItem

pytestmark = pytest.mark.django_db

POLICE = "429006-ga"
POLICE_FORMAT = "天公特旅〔{year}〕{seq:04d}号"
DEFAULT_FORMAT = Department._meta.get_field("permit_number_format").get_default()
NOTE = "样表可在市公安局网站下载"


@pytest.mark.parametrize("code", ["hotel", "convenience_store"])
def test_export_import_export_gives_the_same_file(code: str) -> None:
    exported = bundle_export(Bundle.objects.get(code=code))

    bundle_import(exported)

    assert bundle_export(Bundle.objects.get(code=code)) == exported


def test_moving_a_bundle_keeps_licence_numbers_notes_and_what_is_unpublished() -> None:
    Department.objects.filter(code=POLICE).update(permit_number_format=POLICE_FORMAT)
    Material.objects.filter(code="security_guarantee").update(blank_form_note=NOTE)
    Material.objects.filter(code="floor_plan").update(blank_form_note="")
    ServiceItem.objects.filter(code="entertainment_venue_licence").update(is_published=False)
    Bundle.objects.filter(code="hotel").update(is_published=False)
    exported = bundle_export(Bundle.objects.get(code="hotel"))

    Department.objects.filter(code=POLICE).update(permit_number_format=DEFAULT_FORMAT)
    Material.objects.filter(code="security_guarantee").update(blank_form_note="")
    Material.objects.filter(code="floor_plan").update(blank_form_note="旧的说明")
    ServiceItem.objects.filter(code="entertainment_venue_licence").update(is_published=True)
    Bundle.objects.filter(code="hotel").update(is_published=True)
    bundle_import(exported)

    assert Department.objects.get(code=POLICE).permit_number_format == POLICE_FORMAT
    assert Material.objects.get(code="security_guarantee").blank_form_note == NOTE
    assert Material.objects.get(code="floor_plan").blank_form_note == "", "a note removed is removed"
    assert ServiceItem.objects.get(code="entertainment_venue_licence").is_published is False
    assert Bundle.objects.get(code="hotel").is_published is False


def test_an_older_file_without_these_keys_changes_none_of_them() -> None:
    """bundles/data/hotel.yaml predates the keys: what this system has stays, new rows take the defaults."""
    document = yaml.safe_load(bundle_export(Bundle.objects.get(code="hotel")))
    for department in document["departments"]:
        del department["permit_number_format"]
    for material in document["materials"]:
        del material["blank_form_note"]
    for item in document["items"]:
        del item["is_published"]
    del document["bundle"]["is_published"]
    document["bundle"]["code"] = "hotel_copy"
    Department.objects.filter(code=POLICE).update(permit_number_format=POLICE_FORMAT)
    Material.objects.filter(code="security_guarantee").update(blank_form_note=NOTE)
    ServiceItem.objects.filter(code="entertainment_venue_licence").update(is_published=False)

    bundle_import(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))

    assert Department.objects.get(code=POLICE).permit_number_format == POLICE_FORMAT
    assert Material.objects.get(code="security_guarantee").blank_form_note == NOTE
    assert ServiceItem.objects.get(code="entertainment_venue_licence").is_published is False
    assert Bundle.objects.get(code="hotel_copy").is_published is True


def test_a_licence_number_rule_that_cannot_number_licences_is_refused() -> None:
    """{no} is not a placeholder: every approval of the department would fail on it."""
    document = yaml.safe_load(bundle_export(Bundle.objects.get(code="hotel")))
    document["departments"][0]["permit_number_format"] = "天公特旅〔{year}〕{no}号"

    with pytest.raises(ImportFailed) as failure:
        bundle_import(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))

    [error] = failure.value.report.errors
    assert error.startswith("departments[0].permit_number_format：许可证编号规则无法使用")
    assert Department.objects.get(code=document["departments"][0]["code"]).permit_number_format != (
        "天公特旅〔{year}〕{no}号"
    )
