"""Signing the commitment again: the same person over the same text changes nothing; another signer or text re-signs."""

from __future__ import annotations

import pytest
from django.test import Client

from onewindow.accounts.models import User
from onewindow.cases.demo import HOTEL_FOUR_ITEMS
from onewindow.cases.models import Case, Channel
from onewindow.cases.services import case_commitment_sign, case_start

API = "/api/v1"


def signed_events(case: Case) -> int:
    return case.events.filter(action="commitment_signed").count()


@pytest.mark.django_db
def test_signing_again_through_the_api_keeps_the_first_signature(
    client: Client, filled_case: Case, alice: User
) -> None:
    first = filled_case.commitment_signature
    assert signed_events(filled_case) == 1
    client.force_login(alice)

    for _ in range(3):
        response = client.post(f"{API}/cases/{filled_case.pk}/commitment/sign")
        assert response.status_code == 200, response.content.decode()
        body = response.json()
        assert body["signed"] is True
        assert body["sha256"] == first.text_sha256
        assert body["signer"] == first.signer_name

    shown = client.get(f"{API}/cases/{filled_case.pk}/commitment").json()
    assert shown["sha256"] == first.text_sha256
    filled_case.commitment_signature.refresh_from_db()
    assert filled_case.commitment_signature.signed_at == first.signed_at
    assert signed_events(filled_case) == 1


@pytest.mark.django_db
def test_the_clerk_confirming_after_the_applicant_signs_once_more(alice: User, clerk: User) -> None:
    case = case_start(
        bundle_code="hotel",
        applicant=alice,
        answers=dict(HOTEL_FOUR_ITEMS),
        channel=Channel.WINDOW,
        assisted_by=clerk,
    )
    case_commitment_sign(case=case, user=alice)
    by_clerk = case_commitment_sign(case=case, user=clerk)
    assert by_clerk.signer_id == clerk.pk
    assert "代为确认" in by_clerk.signer_name
    assert signed_events(case) == 2

    again = case_commitment_sign(case=case, user=clerk)
    assert again.signed_at == by_clerk.signed_at
    assert signed_events(case) == 2


@pytest.mark.django_db
def test_a_changed_text_is_signed_again(filled_case: Case, alice: User) -> None:
    first = filled_case.commitment_signature
    Case.objects.filter(pk=filled_case.pk).update(holder_name="天门市悦来大酒店有限公司")

    signature = case_commitment_sign(case=filled_case, user=alice)

    assert signature.text_sha256 != first.text_sha256
    assert "天门市悦来大酒店有限公司" in signature.text
    assert signature.signed_at > first.signed_at
    assert signed_events(filled_case) == 2
