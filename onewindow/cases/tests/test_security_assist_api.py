"""Staff filing a case through the API prove who the applicant is, as on the assist page: his credit
code or ID number, and a confirmation of the account it belongs to; a user name alone files nothing,
and a person's ID number never comes back in full."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, Channel

API = "/api/v1"
VICTIM_ID = "42900619800101123X"
VICTIM_MASKED = VICTIM_ID[:6] + "********" + VICTIM_ID[-4:]


@pytest.fixture
def victim(enterprises: list[Enterprise]) -> User:
    """A person with an account of his own, whom the guidance agent does not serve."""
    return User.objects.create_user(
        username="victim-person",
        password="Victim-pass-2026",
        role=Role.APPLICANT,
        applicant_kind=User.ApplicantKind.PERSON,
        id_number=VICTIM_ID,
        display_name="李四",
        phone="13900139000",
    )


def as_user(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def start(client: Client, **body: Any) -> Any:
    payload = {"bundle": "hotel", "answers": dict(HOTEL_FOUR_ITEMS), **body}
    return client.post(f"{API}/cases", json.dumps(payload), content_type="application/json")


@pytest.mark.django_db
def test_a_user_name_alone_files_no_case_in_anyones_name(victim: User) -> None:
    response = start(as_user("agent"), channel=Channel.GUIDANCE, applicant="victim-person")
    assert response.status_code == 422
    assert response.json()["code"] == "applicant_invalid"
    assert any(e["field"] == "kind" for e in response.json()["errors"])
    assert not Case.objects.filter(applicant=victim).exists()


@pytest.mark.django_db
def test_an_existing_account_is_shown_masked_and_used_only_once_confirmed(victim: User) -> None:
    agent = as_user("agent")
    asked = start(agent, channel=Channel.GUIDANCE, kind="person", id_number=VICTIM_ID)
    assert asked.status_code == 409
    body = asked.json()
    assert body["code"] == "account_unconfirmed"
    assert body["account"]["username"] == "victim-person"
    assert body["account"]["id_number"] == VICTIM_MASKED
    assert body["account"]["phone"] != "13900139000"
    assert VICTIM_ID not in asked.content.decode()
    assert not Case.objects.filter(applicant=victim).exists()

    filed = start(
        agent, channel=Channel.GUIDANCE, kind="person", id_number=VICTIM_ID, confirm_account="victim-person"
    )
    assert filed.status_code == 201, filed.content
    case = Case.objects.get(pk=filed.json()["id"])
    assert case.applicant_id == victim.pk and case.assisted_by is not None
    assert case.assisted_by.username == "agent"


@pytest.mark.django_db
def test_confirming_another_account_than_the_identitys_files_nothing(victim: User) -> None:
    response = start(
        as_user("agent"),
        channel=Channel.GUIDANCE,
        kind="person",
        id_number=VICTIM_ID,
        confirm_account="applicant",
    )
    assert response.status_code == 409
    assert response.json()["account"]["username"] == "victim-person"
    assert not Case.objects.filter(assisted_by__username="agent").exists()


@pytest.mark.django_db
def test_the_library_answer_on_a_persons_case_masks_his_id_number(victim: User) -> None:
    agent = as_user("agent")
    filed = start(
        agent, channel=Channel.GUIDANCE, kind="person", id_number=VICTIM_ID, confirm_account="victim-person"
    )
    assert filed.status_code == 201, filed.content
    fetched = agent.post(f"{API}/cases/{filed.json()['id']}/materials/shared")
    assert fetched.status_code == 200, fetched.content
    assert fetched.json()["missing"], "the library holds no licence of this person"
    assert VICTIM_ID not in fetched.content.decode()
    assert any(VICTIM_MASKED in message for message in fetched.json()["missing"].values())


@pytest.mark.django_db
def test_the_window_confirms_an_enterprise_by_its_credit_code(alice: User) -> None:
    clerk = as_user("clerk")
    owner = alice
    assert owner.enterprise is not None
    uscc = owner.enterprise.uscc
    asked = start(clerk, channel=Channel.WINDOW, kind="enterprise", uscc=uscc)
    assert asked.status_code == 409 and asked.json()["account"]["username"] == "applicant"
    filed = start(clerk, channel=Channel.WINDOW, kind="enterprise", uscc=uscc, confirm_account="applicant")
    assert filed.status_code == 201, filed.content
    assert filed.json()["channel"] == "window"
    assert Case.objects.get(pk=filed.json()["id"]).applicant_id == owner.pk


@pytest.mark.django_db
def test_a_person_without_an_account_is_registered_and_filed_for(enterprises: list[Enterprise]) -> None:
    response = start(
        as_user("clerk"), channel=Channel.WINDOW, kind="person", id_number=VICTIM_ID, display_name="李四"
    )
    assert response.status_code == 201, response.content
    applicant = Case.objects.get(pk=response.json()["id"]).applicant
    assert applicant.id_number == VICTIM_ID and not applicant.has_usable_password()


@pytest.mark.django_db
def test_an_applicant_cannot_look_up_identities_through_the_window_channel(victim: User) -> None:
    response = start(as_user("applicant"), channel=Channel.WINDOW, kind="person", id_number=VICTIM_ID)
    assert response.status_code == 403
    assert response.json()["code"] == "assist_not_allowed"
    assert "victim-person" not in response.content.decode()
