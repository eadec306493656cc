"""An administrator corrects a case in the Django admin: only what he changed is written, with an
event on the timeline; status and the timeline's end are the services' to move."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from lxml import html as lhtml

from onewindow.accounts.models import User
from onewindow.approvals.models import BranchStatus
from onewindow.approvals.services import branch_pause
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.selectors import audit_verify
from onewindow.cases.services import case_accept

pytestmark = pytest.mark.django_db


def admin_form(admin: Client, case: Case) -> tuple[str, dict[str, Any]]:
    url = reverse("admin:cases_case_change", args=[case.pk])
    form = lhtml.fromstring(admin.get(url).content.decode()).get_element_by_id("case_form")
    return url, dict(form.form_values())


def test_a_correction_saved_while_the_window_accepts_keeps_the_case_and_its_timeline(
    submitted: Case, clerk: User, alice: User
) -> None:
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    url, data = admin_form(admin, submitted)
    assert "status" not in data and "last_event_seq" not in data, "the admin form offers no status to post"
    data["holder_name"] = "天门市悦来宾馆有限公司（更正）"

    case_accept(case=Case.objects.get(pk=submitted.pk), clerk=clerk)  # while the admin page is open
    assert admin.post(url, data).status_code == 302

    case = Case.objects.get(pk=submitted.pk)
    assert case.status == CaseStatus.IN_APPROVAL
    assert case.holder_name == "天门市悦来宾馆有限公司（更正）"
    assert audit_verify([case.pk]) == (1, [])
    corrected = case.events.order_by("-seq").first()
    assert corrected is not None and corrected.action == "corrected"
    assert corrected.actor_name == "系统管理员"
    # The next step on the case works: no seq is taken twice.
    fire = case.branches.get(department__code="429006-xf")
    branch_pause(
        branch_id=fire.pk,
        reviewer=User.objects.get(username="reviewer_fire"),
        reason="rectification",
        note="请整改",
    )
    assert case.branches.get(pk=fire.pk).status == BranchStatus.PAUSED

    applicant = Client()
    applicant.force_login(alice)
    timeline = applicant.get(reverse("cases:progress", args=[case.pk])).content.decode()
    assert "系统管理员更正办件信息" in timeline and "申请主体名称" in timeline


def test_saving_without_a_change_writes_no_event(submitted: Case) -> None:
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    url, data = admin_form(admin, submitted)
    seq = submitted.last_event_seq

    assert admin.post(url, data).status_code == 302

    assert Case.objects.get(pk=submitted.pk).last_event_seq == seq


def test_a_case_cannot_be_added_in_the_admin() -> None:
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    assert admin.get(reverse("admin:cases_case_add")).status_code == 403
