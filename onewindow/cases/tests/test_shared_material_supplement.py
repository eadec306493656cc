"""A licence taken from the e-licence library that the window asks to supplement is replaced by a scan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.services import case_request_supplement, case_submit

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def licence_row(case: Case) -> CaseMaterial:
    return case.materials.select_related("material").get(
        disposition=CaseMaterial.Disposition.SHARED, material__shared_licence_type="营业执照"
    )


@pytest.fixture
def licence_flagged(filled_case: Case, alice: User, clerk: User) -> Case:
    """Submitted with the business licence from the library; the window wants a clearer copy."""
    case_submit(case=filled_case, user=alice, key="first")
    assert licence_row(filled_case).shared_reference
    case_request_supplement(
        case=filled_case,
        clerk=clerk,
        entries=[
            {"material": licence_row(filled_case).material.code, "reason": "请提交加盖公章的营业执照副本"}
        ],
    )
    filled_case.refresh_from_db()
    assert filled_case.status == CaseStatus.SUPPLEMENT
    return filled_case


def test_the_flagged_licence_is_replaced_by_a_scan_and_goes_back_to_the_window(
    licence_flagged: Case, alice: User, clerk: User
) -> None:
    case = licence_flagged
    code = licence_row(case).material.code
    applicant = client_for(alice)
    page = applicant.get(reverse("cases:materials", args=[case.pk])).content.decode()
    assert "需补正" in page and "调取不到时，上传扫描件" in page

    response = applicant.post(
        reverse("cases:material_upload", args=[case.pk, code]), {"file": pdf("营业执照副本盖章.pdf")}
    )

    assert response.status_code == 302, response.content.decode()
    row = licence_row(case)
    assert row.is_provided and row.file.read() == DEMO_PDF
    assert row.shared_reference == ""
    page = applicant.get(reverse("cases:materials", args=[case.pk])).content.decode()
    assert f'id="file-{code}"' in page and "营业执照副本盖章.pdf" in page
    assert f'id="shared-{code}"' not in page

    response = applicant.post(reverse("cases:submit", args=[case.pk]), {"key": "second"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    window = client_for(clerk)
    assert str(case.number) in window.get(reverse("cases:window_queue")).content.decode()
    review = window.get(reverse("cases:window_case", args=[case.pk])).content.decode()
    assert "营业执照副本盖章.pdf" in review
    assert reverse("cases:material_download", args=[case.pk, code]) in review
    progress = applicant.get(reverse("cases:progress", args=[case.pk])).content.decode()
    assert "营业执照副本盖章.pdf" in progress


def test_the_flagged_licence_can_be_replaced_in_a_batch_upload(licence_flagged: Case, alice: User) -> None:
    code = licence_row(licence_flagged).material.code

    response = client_for(alice).post(
        f"/api/v1/cases/{licence_flagged.pk}/materials", {code: pdf("执照.pdf")}
    )

    assert response.status_code == 200, response.content.decode()
    row = licence_row(licence_flagged)
    assert row.is_provided and row.original_name == "执照.pdf" and row.shared_reference == ""


def test_a_licence_taken_from_the_library_is_not_replaced_unasked(filled_case: Case, alice: User) -> None:
    code = licence_row(filled_case).material.code
    client = client_for(alice)

    single = client.post(
        reverse("cases:material_upload", args=[filled_case.pk, code]), {"file": pdf("a.pdf")}
    )
    batch = client.post(f"/api/v1/cases/{filled_case.pk}/materials", {code: pdf("a.pdf")})

    assert single.status_code == 409
    assert "已从电子证照库调取，无需上传" in single.content.decode()
    assert batch.status_code == 409 and batch.json()["code"] == "already_shared"
    row = licence_row(filled_case)
    assert not row.file and row.shared_reference


def test_taking_the_licence_again_replaces_the_scan(
    licence_flagged: Case, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    code = licence_row(licence_flagged).material.code
    client = client_for(alice)
    client.post(
        reverse("cases:material_upload", args=[licence_flagged.pk, code]),
        {"file": pdf("扫描件.pdf")},
        follow=True,
    )
    scan = licence_row(licence_flagged).file.path

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:material_shared", args=[licence_flagged.pk, code]), follow=True)

    assert response.status_code == 200
    assert f'id="shared-{code}"' in response.content.decode()
    row = licence_row(licence_flagged)
    assert row.is_provided and row.shared_reference and not row.file
    assert not Path(scan).exists()
    progress = client.get(reverse("cases:progress", args=[licence_flagged.pk])).content.decode()
    assert "扫描件.pdf" not in progress
