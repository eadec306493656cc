"""The window asks for a material the commitment covered: the applicant must upload it before resubmitting."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.models import Case, CaseMaterial, CaseStatus
from onewindow.cases.services import case_request_supplement, case_submit

REASON = "承诺不适用，请提交原件扫描件"


@pytest.fixture
def asked(filled_case: Case, alice: User, clerk: User) -> tuple[Case, CaseMaterial]:
    """A submitted hotel case whose commitment-covered security pledge the window asks for."""
    case = case_submit(case=filled_case, user=alice, key=f"commitment-{filled_case.pk}")
    row = case.materials.select_related("material").get(material__name="旅馆治安安全保证书")
    assert row.disposition == CaseMaterial.Disposition.COMMITMENT
    case_request_supplement(
        case=case, clerk=clerk, entries=[{"material": row.material.code, "reason": REASON}]
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT
    return case, row


@pytest.mark.django_db
def test_a_commitment_material_asked_for_is_uploaded_before_the_case_goes_back(
    client: Client, asked: tuple[Case, CaseMaterial], alice: User, clerk: User
) -> None:
    case, row = asked
    code = row.material.code
    upload_url = reverse("cases:material_upload", args=[case.pk, code])
    client.force_login(alice)

    page = client.get(reverse("cases:materials", args=[case.pk])).content.decode()
    item = page[page.index(f'id="material-{code}"') :]
    item = item[: item.index("</li>")]
    assert REASON in item
    assert upload_url in item, "the row asked for has its upload form"
    assert "无需提交，审批部门将事后核查" not in item
    assert "免交" not in item

    submit_page = client.get(reverse("cases:submit", args=[case.pk])).content.decode()
    assert "申请表、材料和承诺书都已齐全" not in submit_page
    assert "窗口要求补正“旅馆治安安全保证书”，请按补正原因上传这份材料。" in submit_page

    refused = client.post(reverse("cases:submit", args=[case.pk]), {"key": "unchanged"})
    assert refused.status_code == 422
    assert "窗口要求补正“旅馆治安安全保证书”" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT

    uploaded = client.post(
        upload_url, {"file": SimpleUploadedFile("pledge.pdf", DEMO_PDF, content_type="application/pdf")}
    )
    assert uploaded.status_code == 302
    row.refresh_from_db()
    assert not row.needs_supplement and row.file

    assert (
        "申请表、材料和承诺书都已齐全" in client.get(reverse("cases:submit", args=[case.pk])).content.decode()
    )
    sent = client.post(reverse("cases:submit", args=[case.pk]), {"key": "after-upload"})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    client.force_login(clerk)
    queue = client.get(reverse("cases:window_queue")).content.decode()
    assert str(case.number) in queue


@pytest.mark.django_db
def test_the_api_refuses_the_resubmission_the_same_way(
    client: Client, asked: tuple[Case, CaseMaterial], alice: User
) -> None:
    case, row = asked
    client.force_login(alice)
    response = client.post(
        f"/api/v1/cases/{case.pk}/submit",
        json.dumps({"key": "api-unchanged"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "incomplete"
    problems = {e["field"]: e["message"] for e in body["errors"]}
    assert (
        problems[f"material:{row.material.code}"]
        == "窗口要求补正“旅馆治安安全保证书”，请按补正原因上传这份材料。"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.SUPPLEMENT
