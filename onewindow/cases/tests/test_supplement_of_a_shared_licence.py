"""The window asks again for a licence taken from the e-licence library: taking the very same licence
again does not answer the request; a scan does."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.services import (
    CaseError,
    case_material_fetch_shared,
    case_material_upload,
    case_materials_fetch_shared,
    case_request_supplement,
    case_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(filled_case: Case, alice: User, clerk: User) -> tuple[Case, CaseMaterial]:
    case = case_submit(case=filled_case, user=alice, key=f"shared-{filled_case.pk}")
    row = (
        case.materials.select_related("material").filter(disposition=CaseMaterial.Disposition.SHARED).first()
    )
    assert row is not None and row.shared_reference, "the business licence came from the library"
    case_request_supplement(
        case=case,
        clerk=clerk,
        entries=[{"material": row.material.code, "reason": "营业执照经营范围与申请不符"}],
    )
    case.refresh_from_db()
    row.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT and row.needs_supplement
    return case, row


def test_taking_the_same_licence_again_keeps_the_request_open(
    asked: tuple[Case, CaseMaterial], alice: User
) -> None:
    case, row = asked

    with pytest.raises(CaseError) as refused:
        case_material_fetch_shared(case=case, user=alice, material_code=row.material.code)
    assert "重新调取不能解决补正问题" in refused.value.message
    assert "请按补正通知上传扫描件" in refused.value.message

    everything = case_materials_fetch_shared(case=case, user=alice, codes=[row.material.code])
    assert everything.taken == []
    assert "重新调取不能解决补正问题" in everything.missing[row.material.code]

    row.refresh_from_db()
    assert row.needs_supplement, "still asked for"
    with pytest.raises(CaseError):
        case_submit(case=case, user=alice, key="same-licence-again")


def test_a_scan_answers_the_request(asked: tuple[Case, CaseMaterial], alice: User) -> None:
    case, row = asked
    upload = SimpleUploadedFile("licence.pdf", DEMO_PDF, content_type="application/pdf")

    case_material_upload(case=case, user=alice, material_code=row.material.code, upload=upload)

    row.refresh_from_db()
    assert not row.needs_supplement and row.file
    assert case_submit(case=case, user=alice, key="with-a-scan").status == CaseStatus.SUBMITTED
