"""A case for an enterprise whose credit code the window verified although its check character fails
(早期试点代码, registered with a 校验码例外说明) can be filled and submitted with that code."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, User
from onewindow.cases.demo import DEMO_PDF, HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.services import (
    case_commitment_sign,
    case_form_save,
    case_material_upload,
    case_submit,
    submission_problems,
)

PILOT_CODE = "91429006MA4F000010"  # fails the GB 32100 check character
QUESTIONS = {f"q_{code}": value for code, value in HOTEL_FOUR_ITEMS.items()}
VALUES = {
    "text": "按实际情况填写",
    "address": "天门市竟陵街道钟惺大道88号",
    "number": "10",
    "integer": "10",
    "area": "1200",
    "date": "2026-12-01",
    "phone": "13800138000",
    "id_number": "34052419800101001X",
}


def filed_for_pilot_enterprise(clerk: User, *, override_reason: str) -> Case:
    """The window files for the enterprise, then the pilot code is the case's, with or without its
    recorded verification."""
    client = Client()
    client.force_login(clerk)
    response = client.post(
        reverse("cases:assist") + "?bundle=hotel",
        {
            "bundle": "hotel",
            "kind": "enterprise",
            "uscc": PILOT_CODE,
            "enterprise_name": "天门市早期试点旅馆",
            "legal_representative": "周九",
            "uscc_override_reason": "已核对营业执照原件，代码如此",
            **QUESTIONS,
        },
    )
    assert response.status_code == 302
    Enterprise.objects.filter(uscc=PILOT_CODE).update(uscc_override_reason=override_reason)
    return Case.objects.filter(assisted_by=clerk).latest("created_at")


def fill(case: Case, clerk: User) -> None:
    for row in case.materials.select_related("material"):
        if row.disposition != CaseMaterial.Disposition.COMMITMENT:
            upload = SimpleUploadedFile(f"{row.material.code}.pdf", DEMO_PDF, content_type="application/pdf")
            case_material_upload(case=case, user=clerk, material_code=row.material.code, upload=upload)
    data = {
        spec["code"]: spec["choices"][0] if spec["type"] == "choice" else VALUES[spec["type"]]
        for spec in case.plan["form"]
        if not case.form_data.get(spec["code"])
    }
    case_form_save(case=case, user=clerk, data=data)
    case.refresh_from_db()
    if case.plan.get("commitment"):
        case_commitment_sign(case=case, user=clerk)


@pytest.mark.django_db
def test_a_case_for_a_window_verified_pilot_credit_code_is_submitted(clerk: User) -> None:
    case = filed_for_pilot_enterprise(clerk, override_reason="已核对营业执照原件，代码如此")
    assert case.form_data.get("uscc") == PILOT_CODE
    fill(case, clerk)

    case = case_submit(case=case, user=clerk, key="pilot-code")

    assert case.status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_the_form_page_shows_no_error_on_the_verified_code(clerk: User) -> None:
    case = filed_for_pilot_enterprise(clerk, override_reason="已核对营业执照原件，代码如此")
    client = Client()
    client.force_login(clerk)

    page = client.get(reverse("cases:form", args=[case.pk])).content.decode()

    error = page.split('id="error-uscc">')[1].split("</p>")[0]
    assert error == ""


@pytest.mark.django_db
def test_without_the_recorded_verification_the_check_character_still_counts(clerk: User) -> None:
    case = filed_for_pilot_enterprise(clerk, override_reason="")
    fill(case, clerk)
    case.refresh_from_db()

    problems = submission_problems(case)

    assert "校验位" in problems["uscc"]
