"""The commitment letter signed is the letter shown, and it stays the case's own: renaming the bundle
does not change it, a signature over another text does not count at submit, and a letter that changed
between reading and signing is not signed."""

from __future__ import annotations

import hashlib
import importlib
import json

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.bundles.models import Bundle
from onewindow.cases.errors import CaseConflict, CaseInvalid
from onewindow.cases.models import Case, CaseStatus, CommitmentSignature
from onewindow.cases.services import case_commitment_sign, case_submit, commitment_text

API = "/api/v1"


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def letter_changed(case: Case) -> None:
    """The case's letter now reads otherwise than when it was signed (one clause reworded)."""
    plan = case.plan
    plan["commitment"][0]["text"] += "（修订）"
    Case.objects.filter(pk=case.pk).update(plan=plan)
    case.refresh_from_db()


@pytest.mark.django_db
def test_renaming_the_bundle_leaves_a_signed_drafts_letter_as_signed(filled_case: Case, alice: User) -> None:
    signed = filled_case.commitment_signature.text
    Bundle.objects.filter(code="hotel").update(name="旅馆业（含民宿）“一业一证”")
    client = as_user(alice)

    page = client.get(reverse("cases:commitment", args=[filled_case.pk])).content.decode()

    assert 'id="commitment-stale"' not in page
    assert 'id="commitment-signed"' in page
    filled_case.refresh_from_db()
    assert commitment_text(filled_case) == signed
    assert case_submit(case=filled_case, user=alice, key="renamed").status == CaseStatus.SUBMITTED


@pytest.mark.django_db
def test_a_signature_over_a_text_no_longer_the_letters_does_not_let_the_case_be_submitted(
    filled_case: Case, alice: User
) -> None:
    letter_changed(filled_case)
    client = as_user(alice)
    page = client.get(reverse("cases:commitment", args=[filled_case.pk])).content.decode()
    assert 'id="commitment-stale"' in page

    submit = client.get(reverse("cases:submit", args=[filled_case.pk]))
    response = client.post(reverse("cases:submit", args=[filled_case.pk]), {"key": submit.context["key"]})

    assert response.status_code == 422
    assert "告知承诺书的内容在签署后已发生变化" in response.content.decode()
    filled_case.refresh_from_db()
    assert filled_case.status == CaseStatus.DRAFT
    with pytest.raises(CaseInvalid) as refused:
        case_submit(case=filled_case, user=alice, key="stale-signature")
    assert "commitment" in refused.value.fields


@pytest.mark.django_db
def test_the_sign_page_refuses_a_letter_that_changed_after_it_was_shown(draft: Case, alice: User) -> None:
    client = as_user(alice)
    page = client.get(reverse("cases:commitment", args=[draft.pk]))
    shown = page.context["text_sha256"]
    assert f'name="sha256" value="{shown}"' in page.content.decode()
    letter_changed(draft)

    response = client.post(reverse("cases:commitment", args=[draft.pk]), {"agree": "yes", "sha256": shown})

    assert response.status_code == 409
    assert "告知承诺书的内容已更新" in response.content.decode()
    assert not CommitmentSignature.objects.filter(case=draft).exists()
    # The page now shows the new letter with its own digest: signing it works.
    fresh = response.context["text_sha256"]
    signed = client.post(reverse("cases:commitment", args=[draft.pk]), {"agree": "yes", "sha256": fresh})
    assert signed.status_code == 302
    assert CommitmentSignature.objects.get(case=draft).text == commitment_text(draft)


@pytest.mark.django_db
def test_the_api_checks_the_digest_when_given_and_signs_without_one(draft: Case, alice: User) -> None:
    client = as_user(alice)
    letter = client.get(f"{API}/cases/{draft.pk}/commitment").json()
    assert letter["text_sha256"] == sha256(letter["text"])

    stale = client.post(
        f"{API}/cases/{draft.pk}/commitment/sign",
        json.dumps({"sha256": sha256(letter["text"] + "旧")}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "commitment_changed"
    assert not CommitmentSignature.objects.filter(case=draft).exists()

    given = client.post(
        f"{API}/cases/{draft.pk}/commitment/sign",
        json.dumps({"sha256": letter["text_sha256"]}),
        content_type="application/json",
    )
    assert given.status_code == 200
    assert given.json()["sha256"] == letter["text_sha256"]

    bare = client.post(f"{API}/cases/{draft.pk}/commitment/sign")  # a client from before the digest
    assert bare.status_code == 200


@pytest.mark.django_db
def test_a_sign_body_that_is_not_an_object_is_a_422(draft: Case, alice: User) -> None:
    response = as_user(alice).post(
        f"{API}/cases/{draft.pk}/commitment/sign", json.dumps(["x"]), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "sign_body_invalid"


@pytest.mark.django_db
def test_the_service_refuses_a_digest_of_another_text(draft: Case, alice: User) -> None:
    with pytest.raises(CaseConflict) as refused:
        case_commitment_sign(case=draft, user=alice, shown_sha256=sha256("另一封承诺书"))
    assert refused.value.code == "commitment_changed"


@pytest.mark.django_db
def test_drafts_opened_before_the_snapshot_keep_the_name_they_were_signed_with(filled_case: Case) -> None:
    """The upgrade writes each case's bundle name into its snapshot, so a later rename changes no letter."""
    plan = {key: value for key, value in filled_case.plan.items() if key != "bundle_name"}
    Case.objects.filter(pk=filled_case.pk).update(plan=plan)
    odd = Case.objects.get(pk=filled_case.pk)
    odd.pk, odd.number, odd.plan = None, None, []
    odd.save()  # a snapshot of a shape no release wrote is passed over
    migration = importlib.import_module("onewindow.cases.migrations.0006_plan_bundle_name")
    apps = MigrationLoader(connection).project_state(("cases", "0006_plan_bundle_name")).apps

    migration.snapshots_take_bundle_name(apps, None)

    filled_case.refresh_from_db()
    assert filled_case.plan["bundle_name"] == filled_case.bundle.name
    assert commitment_text(filled_case) == filled_case.commitment_signature.text
    assert Case.objects.get(pk=odd.pk).plan == []

    migration.snapshots_without_bundle_name(apps, None)

    filled_case.refresh_from_db()
    assert "bundle_name" not in filled_case.plan
