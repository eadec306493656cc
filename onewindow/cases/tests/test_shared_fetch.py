"""Taking every government-held material from the e-licence library in one request (一键调取)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent, CaseMaterial
from onewindow.integrations.elicense.models import LibraryLicence, LibraryState

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shared_rows(case: Case) -> dict[str, CaseMaterial]:
    rows = case.materials.filter(disposition=CaseMaterial.Disposition.SHARED).select_related("material")
    return {row.material.code: row for row in rows}


def test_every_shared_material_is_taken_in_one_request(draft: Case, alice: User) -> None:
    codes = set(shared_rows(draft))
    assert len(codes) == 2  # the business licence and the legal representative's ID card

    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials/shared")

    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert {m["code"] for m in body["materials"]} == codes
    assert body["missing"] == {}
    for code, row in shared_rows(draft).items():
        assert row.is_provided
        assert row.shared_reference == next(
            m["shared_reference"] for m in body["materials"] if m["code"] == code
        )
        assert row.shared_reference.startswith("1.2.156.3005.2.")
    event = CaseEvent.objects.get(case=draft, action="materials_shared")
    assert {m["material"] for m in event.data["materials"]} == codes
    # Asking again finds nothing left to take and changes nothing.
    again = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials/shared")
    assert again.json() == {"materials": [], "missing": {}}
    assert CaseEvent.objects.filter(case=draft, action__startswith="material").count() == 1


def test_what_the_library_lacks_is_named_and_the_rest_is_kept(draft: Case, alice: User) -> None:
    rows = shared_rows(draft)
    licence = next(r for r in rows.values() if r.material.shared_licence_type == "营业执照")
    LibraryLicence.objects.filter(holder_code=draft.holder_code, licence_type="营业执照").delete()

    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials/shared")

    assert response.status_code == 200
    body = response.json()
    assert set(body["missing"]) == {licence.material.code}
    assert "请上传扫描件" in body["missing"][licence.material.code]
    assert [m["code"] for m in body["materials"]] == [c for c in rows if c != licence.material.code]
    after = shared_rows(draft)
    assert not after[licence.material.code].is_provided
    assert all(row.is_provided for code, row in after.items() if code != licence.material.code)


def test_one_material_the_library_lacks_is_still_an_error(draft: Case, alice: User) -> None:
    licence = next(r for r in shared_rows(draft).values() if r.material.shared_licence_type == "营业执照")
    LibraryLicence.objects.filter(holder_code=draft.holder_code, licence_type="营业执照").delete()

    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials/{licence.material.code}/shared")

    assert response.status_code == 422
    assert response.json()["code"] == "shared_not_found"
    assert not CaseEvent.objects.filter(case=draft, action__startswith="material").exists()


def test_a_library_outage_keeps_nothing_and_says_so(draft: Case, alice: User) -> None:
    LibraryState.objects.update_or_create(pk=1, defaults={"online": False})

    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials/shared")

    assert response.status_code == 503
    assert "电子证照库暂时无法访问" in response.json()["message"]
    assert not any(row.is_provided for row in shared_rows(draft).values())


def test_another_applicant_cannot_take_them(draft: Case, bob: User) -> None:
    response = client_for(bob).post(f"/api/v1/cases/{draft.pk}/materials/shared")

    assert response.status_code == 404
    assert not any(row.is_provided for row in shared_rows(draft).values())


def test_the_materials_page_takes_them_with_one_button(draft: Case, alice: User) -> None:
    client = client_for(alice)
    page = client.get(reverse("cases:materials", args=[draft.pk])).content.decode()
    assert 'id="fetch-all-shared"' in page
    assert "一键调取（2 份）" in page

    response = client.post(reverse("cases:materials_shared", args=[draft.pk]), follow=True)

    body = response.content.decode()
    assert "已从电子证照库调取 2 份材料。" in body
    assert 'id="fetch-all-shared"' not in body
    for row in shared_rows(draft).values():
        assert row.shared_reference in body


def test_the_page_shows_why_a_material_was_not_found_next_to_its_upload(draft: Case, alice: User) -> None:
    licence = next(r for r in shared_rows(draft).values() if r.material.shared_licence_type == "营业执照")
    LibraryLicence.objects.filter(holder_code=draft.holder_code, licence_type="营业执照").delete()

    response = client_for(alice).post(reverse("cases:materials_shared", args=[draft.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "已从电子证照库调取 1 份材料。" in body
    assert f'id="error-{licence.material.code}"' in body
    assert f'id="file-input-{licence.material.code}"' in body


def test_a_material_to_upload_cannot_be_fetched_from_the_library(draft: Case, alice: User) -> None:
    row = (
        draft.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert row is not None
    response = client_for(alice).post(f"/api/v1/cases/{draft.pk}/materials/{row.material.code}/shared")
    assert response.status_code == 422
    assert response.json()["code"] == "not_shared"
    assert f"“{row.material.name}”不能从电子证照库调取" in response.json()["message"]
    row.refresh_from_db()
    assert not row.shared_reference and not row.is_provided
