"""An enterprise's case names its holder in the form as the licence will: the credit code and name
are filled from the enterprise and cannot be changed to another company's, on the page or the API."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services import case_start, case_submit


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_api_keeps_the_case_holders_code_and_says_why(
    draft: Case, alice: User, enterprises: list[Enterprise]
) -> None:
    other = enterprises[1]
    assert alice.enterprise is not None and other.uscc != alice.enterprise.uscc

    response = as_user(alice).put(
        f"/api/v1/cases/{draft.pk}/form",
        json.dumps({"data": {"uscc": other.uscc, "enterprise_name": other.name, "contact_person": "王五"}}),
        content_type="application/json",
    )

    assert response.status_code == 200
    problems = response.json()["problems"]
    assert alice.enterprise.uscc in problems["uscc"] and "不能更改" in problems["uscc"]
    assert alice.enterprise.name in problems["enterprise_name"]
    draft.refresh_from_db()
    assert draft.form_data["uscc"] == alice.enterprise.uscc
    assert draft.form_data["enterprise_name"] == alice.enterprise.name
    assert draft.form_data["contact_person"] == "王五"


@pytest.mark.django_db
def test_the_form_page_shows_the_holder_fields_read_only(draft: Case, alice: User) -> None:
    page = as_user(alice).get(reverse("cases:form", args=[draft.pk])).content.decode()

    for code in ("uscc", "enterprise_name"):
        tag = page.split(f'id="input-{code}"')[1].split(">")[0]
        assert "readonly" in tag
        assert "hx-post" not in tag
    assert "与办件申请企业一致，不能修改。" in page


@pytest.mark.django_db
def test_a_draft_naming_another_company_cannot_be_submitted(
    filled_case: Case, alice: User, enterprises: list[Enterprise]
) -> None:
    """A draft changed before the fields were locked: submit names the field to put right."""
    Case.objects.filter(pk=filled_case.pk).update(
        form_data={**filled_case.form_data, "uscc": enterprises[1].uscc}
    )
    filled_case.refresh_from_db()

    with pytest.raises(CaseInvalid) as refused:
        case_submit(case=filled_case, user=alice, key="other-company")

    assert "uscc" in refused.value.fields
    filled_case.refresh_from_db()
    assert filled_case.status == CaseStatus.DRAFT


@pytest.mark.django_db
def test_a_persons_case_has_no_locked_fields(db: None) -> None:
    """Only an enterprise's case has a holder to lock the form to."""
    person = User.objects.create_user(username="person", role=Role.APPLICANT, id_number="34052419800101001X")
    case = case_start(bundle_code="hotel", applicant=person, answers=dict(HOTEL_FOUR_ITEMS))

    page = as_user(person).get(reverse("cases:form", args=[case.pk])).content.decode()

    assert "readonly" not in page
