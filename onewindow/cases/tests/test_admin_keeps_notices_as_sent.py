"""A notice sent to an applicant and a letter he signed cannot be rewritten in the admin.

The supplement notice's PDF is rendered from its row and the commitment letter's hash proves what
was signed: an edit there would change the applicant's evidence without a trace on the timeline.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CaseEvent, CommitmentSignature
from onewindow.cases.services import case_request_supplement

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def test_the_supplement_notice_is_shown_but_not_editable(
    submitted: Case, clerk: User, admin_client: Client
) -> None:
    notice = case_request_supplement(
        case=submitted,
        clerk=clerk,
        entries=[{"material": "floor_plan", "reason": "平面图未标注客房床位"}],
        note="请一次补齐",
    )
    url = reverse("admin:cases_supplementrequest_change", args=[notice.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "平面图未标注客房床位" in page.content.decode()
    assert 'name="note"' not in page.content.decode(), "no field to type over"

    admin_client.post(url, {"note": "已改写", "entries": "[]"})
    notice.refresh_from_db()
    assert notice.note == "请一次补齐"
    assert notice.entries[0]["reason"] == "平面图未标注客房床位"
    admin_client.post(reverse("admin:cases_supplementrequest_delete", args=[notice.pk]), {"post": "yes"})
    assert type(notice).objects.filter(pk=notice.pk).exists()


def test_the_signed_commitment_letter_cannot_be_rewritten_or_deleted(
    submitted: Case, admin_client: Client
) -> None:
    signature = CommitmentSignature.objects.get(case=submitted)
    url = reverse("admin:cases_commitmentsignature_change", args=[signature.pk])

    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"text": "另一份承诺书", "text_sha256": "0" * 64, "signer_name": "他人"})
    admin_client.post(reverse("admin:cases_commitmentsignature_delete", args=[signature.pk]), {"post": "yes"})

    after = CommitmentSignature.objects.get(pk=signature.pk)
    assert (after.text, after.text_sha256, after.signer_name) == (
        signature.text,
        signature.text_sha256,
        signature.signer_name,
    )
    assert admin_client.get(reverse("admin:cases_commitmentsignature_add")).status_code == 403


def test_timeline_rows_stay_read_only(submitted: Case, admin_client: Client) -> None:
    event = CaseEvent.objects.filter(case=submitted).order_by("seq").first()
    assert event is not None
    url = reverse("admin:cases_caseevent_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"comment": "改过"})
    event.refresh_from_db()
    assert event.comment != "改过"
