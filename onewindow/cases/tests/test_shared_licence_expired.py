"""A licence past its term is not taken from the e-licence library, even when the library still
marks it valid (01): the applicant is told it has expired and to upload a current one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services import case_material_fetch_shared
from onewindow.integrations.elicense.models import LibraryLicence


def licence_row(case: Case) -> CaseMaterial:
    return case.materials.select_related("material").get(
        disposition=CaseMaterial.Disposition.SHARED, material__shared_licence_type="营业执照"
    )


def ended(case: Case, days_ago: int) -> str:
    day = timezone.localdate() - timedelta(days=days_ago)
    LibraryLicence.objects.filter(holder_code=case.holder_code, licence_type="营业执照").update(
        valid_until=day
    )
    return day.strftime("%Y-%m-%d")


@pytest.mark.django_db
def test_an_expired_business_licence_is_not_taken_and_the_applicant_is_told_why(
    draft: Case, alice: User
) -> None:
    row = licence_row(draft)
    day = ended(draft, 365)
    client = Client()
    client.force_login(alice)

    response = client.post(f"/api/v1/cases/{draft.pk}/materials/shared")

    assert response.status_code == 200
    message = response.json()["missing"][row.material.code]
    assert f"已于 {day} 到期" in message
    assert "请上传在有效期内" in message
    row.refresh_from_db()
    assert not row.is_provided


@pytest.mark.django_db
def test_one_material_fetched_alone_says_the_same(draft: Case, alice: User) -> None:
    row = licence_row(draft)
    ended(draft, 1)

    with pytest.raises(CaseInvalid) as refused:
        case_material_fetch_shared(case=draft, user=alice, material_code=row.material.code)

    assert "到期" in refused.value.message


@pytest.mark.django_db
def test_a_licence_valid_until_today_is_taken(draft: Case, alice: User) -> None:
    row = licence_row(draft)
    ended(draft, 0)

    taken = case_material_fetch_shared(case=draft, user=alice, material_code=row.material.code)

    assert taken.is_provided
