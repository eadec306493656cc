"""The pages around the checklist: scheduling from a case, "my inspections", the applicant's
rectification page and the notice PDF, and who gets a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.approvals.models import BranchStatus
from onewindow.cases.models import Case
from onewindow.inspections.models import InspectionStatus, JointInspection, RectificationEvidence
from onewindow.inspections.services import checklist_record, inspection_finish
from onewindow.inspections.tests.conftest import (
    SITE_CHECK_DEPARTMENTS,
    entry_of,
    login,
    pdf,
    png,
    record_everything,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("onewindow.inspections.tests.urls_for_tests")]


def test_the_organiser_schedules_from_the_case(
    client: Client, hotel_case: Case, chen: User, inspectors: dict[str, User], tomorrow: datetime
) -> None:
    login(client, chen)
    listing = client.get(reverse("inspections:mine"))
    assert reverse("inspections:schedule", args=[hotel_case.pk]) in listing.content.decode()

    url = reverse("inspections:schedule", args=[hotel_case.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'type="datetime-local"' in body
    for code in SITE_CHECK_DEPARTMENTS:
        assert f'name="inspector_{code}"' in body
    assert 'name="inspector_429006-zj"' not in body

    data = {
        "scheduled_at": timezone.localtime(tomorrow).strftime("%Y-%m-%dT%H:%M"),
        "address": "天门市竟陵街道钟惺大道88号",
        **{f"inspector_{code}": inspectors[code].pk for code in SITE_CHECK_DEPARTMENTS},
    }
    missing = {k: v for k, v in data.items() if k != "inspector_429006-ty"}
    response = client.post(url, missing)
    assert response.status_code == 422
    assert "请选择天门市体育局派出的核查人员。" in response.content.decode()

    response = client.post(url, data)
    inspection = JointInspection.objects.get(case=hotel_case)
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:checklist", args=[inspection.pk])
    assert client.get(url).status_code == 302, "a running inspection is continued, not scheduled twice"


def test_only_the_lead_department_sees_the_schedule_page(
    client: Client, hotel_case: Case, inspectors: dict[str, User], alice: User
) -> None:
    url = reverse("inspections:schedule", args=[hotel_case.pk])
    login(client, inspectors["429006-wj"])
    assert client.get(url).status_code == 404
    login(client, alice)
    assert client.get(url).status_code == 403


def test_my_inspections_lists_only_my_departments_in_a_fixed_number_of_queries(
    client: Client,
    inspection: JointInspection,
    inspectors: dict[str, User],
    django_assert_max_num_queries: Any,
) -> None:
    login(client, inspectors["429006-wj"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("inspections:mine"))
    assert reverse("inspections:checklist", args=[inspection.pk]) in response.content.decode()
    login(client, inspectors["429006-zj"])
    response = client.get(reverse("inspections:mine"))
    assert reverse("inspections:checklist", args=[inspection.pk]) not in response.content.decode()


def test_the_checklist_page_takes_a_fixed_number_of_queries(
    client: Client,
    inspection: JointInspection,
    chen: User,
    inspectors: dict[str, User],
    django_assert_max_num_queries: Any,
) -> None:
    record_everything(inspection, inspectors)
    for code in ("429006-wj", "429006-yc"):
        entry = entry_of(inspection, code)
        checklist_record(entry=entry, inspector=inspectors[code], result="pass", photos=[png(), png()])
    login(client, chen)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("inspections:checklist", args=[inspection.pk]))
    assert response.status_code == 200


def test_the_applicant_reads_the_notice_and_reports_the_rectification(
    client: Client,
    inspection: JointInspection,
    chen: User,
    alice: User,
    bob: User,
    inspectors: dict[str, User],
) -> None:
    record_everything(inspection, inspectors, fail="429006-xf")
    inspection_finish(inspection=inspection, organiser=chen)
    url = reverse("inspections:rectification", args=[inspection.case_id])
    notice_url = reverse("inspections:notice_pdf", args=[inspection.pk, 1])

    login(client, bob)
    assert client.get(url).status_code == 404
    assert client.get(notice_url).status_code == 404
    login(client, inspectors["429006-wj"])
    assert client.get(url).status_code == 404

    login(client, alice)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "灭火器已过期，请更换。" in body
    assert "天门市消防救援大队" in body
    assert notice_url in body
    document = client.get(notice_url)
    assert document.status_code == 200
    assert document["Content-Type"] == "application/pdf"

    response = client.post(url, {"text": "", "evidence": []})
    assert response.status_code == 422
    assert "请逐项说明整改情况。" in response.content.decode()
    response = client.post(url, {"text": "已更换全部灭火器。", "evidence": [png(), pdf()]})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.RECTIFIED
    evidence = RectificationEvidence.objects.filter(report__inspection=inspection).first()
    assert evidence is not None
    assert client.get(reverse("inspections:evidence", args=[evidence.pk])).status_code == 200
    login(client, bob)
    assert client.get(reverse("inspections:evidence", args=[evidence.pk])).status_code == 404

    # The organiser schedules the re-inspection from the shared page.
    login(client, chen)
    checklist = client.get(reverse("inspections:checklist", args=[inspection.pk])).content.decode()
    assert "已更换全部灭火器。" in checklist
    for label in ("安排联合现场核查", "出具现场核查整改通知（一次告知）", "申请人报告整改情况"):
        assert label in checklist
    response = client.post(
        reverse("inspections:reinspection", args=[inspection.pk]),
        {"scheduled_at": timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M"), "address": ""},
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.round, inspection.status) == (2, InspectionStatus.SCHEDULED)


def test_closing_an_inspection_restarts_the_clocks(
    client: Client, inspection: JointInspection, chen: User, hotel_case: Case
) -> None:
    login(client, chen)
    url = reverse("inspections:close", args=[inspection.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 422
    response = client.post(url, {"reason": "申请人撤回申请"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED
    assert not hotel_case.branches.filter(status=BranchStatus.PAUSED).exists()
