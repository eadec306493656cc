"""What moved a branch's due date, and what the applicant answered, cannot be rewritten in the admin.

An extension the supervisor decided, a stop of the clock and an applicant's rectification reply are
the grounds of the due date the applicant was told; an edit in the admin would change them without
a trace on the timeline. They stay readable there.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.models import ClockPause, RectificationReply
from onewindow.approvals.services import branch_approve, branch_pause, branch_reply, extension_request
from onewindow.approvals.tests.conftest import FIRE, POLICE, branch_of, signed_in
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    return signed_in(get_user_model().objects.get(username="admin"))


def assert_read_only(admin_client: Client, model: str, pk: int, field: str, typed: dict[str, str]) -> str:
    url = reverse(f"admin:approvals_{model}_change", args=[pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert f'name="{field}"' not in body, "no field to type over"
    admin_client.post(url, typed)
    admin_client.post(reverse(f"admin:approvals_{model}_delete", args=[pk]), {"post": "yes"})
    assert admin_client.get(reverse(f"admin:approvals_{model}_add")).status_code == 403
    assert admin_client.get(reverse(f"admin:approvals_{model}_changelist")).status_code == 200
    return body


def test_an_extension_request_is_shown_but_not_editable(
    case: Case, fire: User, police: User, admin_client: Client
) -> None:
    branch_approve(branch_id=branch_of(case, FIRE).pk, reviewer=fire, permit_number="XF-1", valid_until=None)
    supervisor = User.objects.get(username="supervisor")
    extension = extension_request(
        branch_id=branch_of(case, POLICE).pk,
        reviewer=police,
        approver=supervisor,
        days=5,
        reason="需组织专家评审。",
    )

    body = assert_read_only(admin_client, "extension", extension.pk, "days", {"days": "10", "reason": "改写"})

    assert "需组织专家评审。" in body
    extension.refresh_from_db()
    assert (extension.days, extension.reason) == (5, "需组织专家评审。")


def test_a_clock_pause_and_the_applicants_reply_are_shown_but_not_editable(
    case: Case, fire: User, alice: User, admin_client: Client
) -> None:
    branch = branch_pause(
        branch_id=branch_of(case, FIRE).pk, reviewer=fire, reason="rectification", note="疏散指示标志不足"
    )
    pause = ClockPause.objects.get(branch=branch)
    reply = branch_reply(branch_id=branch.pk, applicant=alice, text="已增设疏散指示标志十二处")

    assert_read_only(admin_client, "clockpause", pause.pk, "started_on", {"started_on": "2020-01-01"})
    body = assert_read_only(admin_client, "rectificationreply", reply.pk, "text", {"text": "改写"})

    assert "已增设疏散指示标志十二处" in body
    assert ClockPause.objects.get(pk=pause.pk).started_on == pause.started_on
    assert RectificationReply.objects.get(pk=reply.pk).text == "已增设疏散指示标志十二处"
