"""A submission key answers only the submit it was used for: after a supplement request, a submit
page or API client still carrying the first round's key submits nothing and says so."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.services import case_material_upload, case_request_supplement


def supplement_answered(case: Case, clerk: User, alice: User) -> None:
    """The window asks for one document again; the applicant uploads it but has not resubmitted."""
    row = (
        case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD)
        .select_related("material")
        .order_by("id")
        .first()
    )
    assert row is not None
    case_request_supplement(
        case=case, clerk=clerk, entries=[{"material": row.material.code, "reason": "扫描件模糊"}]
    )
    case.refresh_from_db()
    upload = SimpleUploadedFile("new.pdf", DEMO_PDF, content_type="application/pdf")
    case_material_upload(case=case, user=alice, material_code=row.material.code, upload=upload)


@pytest.mark.django_db
def test_the_first_rounds_key_on_the_submit_page_says_the_page_is_out_of_date(
    submitted: Case, clerk: User, alice: User
) -> None:
    supplement_answered(submitted, clerk, alice)
    client = Client()
    client.force_login(alice)

    response = client.post(reverse("cases:submit", args=[submitted.pk]), {"key": f"submitted-{submitted.pk}"})

    page = response.content.decode()
    assert response.status_code == 409
    assert "这个提交页面已过期" in page
    assert "申请已提交" not in page
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUPPLEMENT
    # The page it shows carries a new key: pressing 重新提交 there resubmits.
    fresh = response.context["key"]
    assert fresh and fresh != f"submitted-{submitted.pk}"
    again = client.post(reverse("cases:submit", args=[submitted.pk]), {"key": fresh}, follow=True)
    assert "申请已提交" in again.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_an_api_client_keying_its_submit_by_case_gets_a_409_not_a_200(
    submitted: Case, clerk: User, alice: User
) -> None:
    supplement_answered(submitted, clerk, alice)
    client = Client()
    client.force_login(alice)

    response = client.post(
        f"/api/v1/cases/{submitted.pk}/submit",
        json.dumps({"key": f"submitted-{submitted.pk}"}),
        content_type="application/json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "submission_key_stale"
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUPPLEMENT


@pytest.mark.django_db
def test_the_same_key_repeated_right_after_a_submit_still_answers_with_the_case(
    submitted: Case, alice: User
) -> None:
    """A double click: the second request with the key that just submitted is no conflict."""
    client = Client()
    client.force_login(alice)

    response = client.post(
        f"/api/v1/cases/{submitted.pk}/submit",
        json.dumps({"key": f"submitted-{submitted.pk}"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.SUBMITTED
