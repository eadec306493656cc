"""Filing for an applicant at the window: the clerk sees whose account the case will belong to first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Enterprise, Role, User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS, id_number
from onewindow.cases.models import Case

QUESTIONS = {f"q_{code}": value for code, value in HOTEL_FOUR_ITEMS.items()}
URL = reverse("cases:assist") + "?bundle=hotel"


def file_for(client: Client, **fields: str) -> Any:
    return client.post(URL, {"bundle": "hotel", "kind": "enterprise", **QUESTIONS, **fields})


@pytest.mark.django_db
def test_the_clerk_sees_the_existing_account_before_filing(client: Client, clerk: User, alice: User) -> None:
    enterprise = alice.enterprise
    assert enterprise is not None
    client.force_login(clerk)

    shown = file_for(client, uscc=enterprise.uscc)
    assert shown.status_code == 200
    body = shown.content.decode()
    assert "该申请人已有账号，申请将归属以下账号" in body
    assert "<dd>applicant</dd>" in body
    assert "<dd>138****8000</dd>" in body
    assert alice.id_number[:6] + "********" + alice.id_number[-4:] in body
    assert alice.id_number not in body
    assert f'name="account" value="{alice.pk}"' in body
    assert "确认归属并创建申请" in body
    assert not Case.objects.filter(assisted_by=clerk).exists()

    confirmed = file_for(client, uscc=enterprise.uscc, account=str(alice.pk))
    assert confirmed.status_code == 302
    case = Case.objects.get(assisted_by=clerk)
    assert case.applicant == alice
    page = client.get(confirmed["Location"]).content.decode()
    assert "办件归属申请人账号：applicant，" in page


@pytest.mark.django_db
def test_a_confirmation_of_another_account_files_nothing(
    client: Client, clerk: User, alice: User, bob: User, enterprises: list[Enterprise]
) -> None:
    """The clerk confirmed bob's account, then changed the code to alice's: alice's is shown instead."""
    client.force_login(clerk)
    response = file_for(client, uscc=enterprises[0].uscc, account=str(bob.pk))
    assert response.status_code == 200
    assert f'name="account" value="{alice.pk}"' in response.content.decode()
    assert not Case.objects.filter(assisted_by=clerk).exists()


@pytest.mark.django_db
def test_several_accounts_for_one_credit_code_are_refused(
    client: Client, clerk: User, alice: User, enterprises: list[Enterprise]
) -> None:
    """Accounts from before one account per identity: the window never picks one of them."""
    User.objects.filter(pk=alice.pk).update(shares_identity=True)
    squatter = User.objects.create_user(
        username="squatter",
        password="Squatter-pass-2026",
        role=Role.APPLICANT,
        applicant_kind="enterprise",
        enterprise=enterprises[0],
        shares_identity=True,
    )
    client.force_login(clerk)
    for account in ("", str(alice.pk), str(squatter.pk)):
        response = file_for(client, uscc=enterprises[0].uscc, account=account)
        assert response.status_code == 422
        body = response.content.decode()
        assert (
            "该统一社会信用代码登记了多个申请人账号（applicant、squatter），无法确定办件归属，未创建申请。"
            in body
        )
        assert "错误代码 identity_ambiguous" in body
        assert 'name="account"' not in body
    assert not Case.objects.filter(assisted_by=clerk).exists()


@pytest.mark.django_db
def test_several_accounts_for_one_id_number_are_refused(client: Client, clerk: User) -> None:
    number = id_number("42900619750420551")
    for username in ("wang-1", "wang-2"):
        User.objects.create_user(
            username=username,
            role=Role.APPLICANT,
            applicant_kind="person",
            id_number=number,
            shares_identity=True,
        )
    client.force_login(clerk)
    response = file_for(client, kind="person", id_number=number, display_name="王芳")
    assert response.status_code == 422
    assert "该身份证号码登记了多个申请人账号（wang-1、wang-2）" in response.content.decode()
    assert not Case.objects.filter(assisted_by=clerk).exists()


@pytest.mark.django_db
def test_the_guidance_agent_confirms_too(client: Client, alice: User) -> None:
    agent = User.objects.get(username="agent")
    client.force_login(agent)
    assert alice.enterprise is not None
    shown = file_for(client, uscc=alice.enterprise.uscc)
    assert shown.status_code == 200
    assert "<dd>applicant</dd>" in shown.content.decode()
    assert not Case.objects.filter(assisted_by=agent).exists()
