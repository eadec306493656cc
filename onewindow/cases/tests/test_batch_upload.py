"""Handing in several materials in one request: all checked first, then all kept, or none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.models import Case, CaseEvent, CaseMaterial

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload_codes(case: Case, count: int) -> list[str]:
    rows = case.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material")
    return [row.material.code for row in rows.order_by("id")[:count]]


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def test_several_materials_in_one_request_are_all_kept(draft: Case, alice: User) -> None:
    first, second = upload_codes(draft, 2)

    response = client_for(alice).post(
        f"/api/v1/cases/{draft.pk}/materials", {first: pdf("a.pdf"), second: pdf("b.pdf")}
    )

    assert response.status_code == 200, response.content.decode()
    assert {m["code"] for m in response.json()["materials"]} == {first, second}
    rows = {r.material.code: r for r in draft.materials.select_related("material")}
    for code in (first, second):
        assert rows[code].is_provided
        assert rows[code].content_type == "application/pdf"
        assert rows[code].file.read() == DEMO_PDF
    event = CaseEvent.objects.get(case=draft, action="materials_uploaded")
    assert [m["material"] for m in event.data["materials"]] == [first, second]


def test_one_bad_file_keeps_none_and_names_it(draft: Case, alice: User) -> None:
    good, bad = upload_codes(draft, 2)
    fake = SimpleUploadedFile("scan.pdf", b"this is a text file, not a PDF", content_type="application/pdf")

    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials", {good: pdf("a.pdf"), bad: fake})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "uploads_invalid"
    assert [e["field"] for e in body["errors"]] == [f"material:{bad}"]
    assert "PDF" in body["errors"][0]["message"]
    assert not draft.materials.filter(material__code__in=[good, bad], size__gt=0).exists()
    assert not CaseEvent.objects.filter(case=draft, action="materials_uploaded").exists()


def test_a_material_not_in_the_case_is_refused(draft: Case, alice: User) -> None:
    response = client_for(alice).post(
        f"/api/v1/cases/{draft.pk}/materials", {"no_such_material": pdf("x.pdf")}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "material:no_such_material"


def test_nothing_chosen_is_a_clear_error(draft: Case, alice: User) -> None:
    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials", {})

    assert response.status_code == 422
    assert response.json()["code"] == "upload_none"


def test_another_applicant_cannot_upload_to_the_case(draft: Case, bob: User) -> None:
    (code,) = upload_codes(draft, 1)

    response = client_for(bob).post(f"/api/v1/cases/{draft.pk}/materials", {code: pdf("a.pdf")})

    assert response.status_code == 404
    assert not draft.materials.filter(material__code=code, size__gt=0).exists()


def test_a_refused_upload_leaves_no_file_behind(draft: Case, alice: User, settings: Settings) -> None:
    (code,) = upload_codes(draft, 1)
    Case.objects.filter(pk=draft.pk).update(status="submitted")  # submitted in another tab meanwhile

    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials", {code: pdf("a.pdf")})

    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []
