"""A photo or an evidence file someone may not read answers exactly as one that does not exist."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.catalog.models import Department
from onewindow.inspections.models import ChecklistPhoto, JointInspection, RectificationEvidence
from onewindow.inspections.services import checklist_record, inspection_finish, rectification_report
from onewindow.inspections.tests.conftest import (
    SITE_CHECK_DEPARTMENTS,
    entry_of,
    login,
    pdf,
    png,
    record_everything,
)


def not_found_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 404
    return response.content.decode()


def test_a_photo_of_an_inspection_elsewhere_reads_like_a_photo_that_does_not_exist(
    client: Client, inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    checklist_record(
        entry=entry_of(inspection, "429006-xf"),
        inspector=inspectors["429006-xf"],
        result="pass",
        photos=[png()],
    )
    photo = ChecklistPhoto.objects.get()
    outsider = User.objects.create_user(
        username="inspector-outside",
        password="x",
        role=Role.INSPECTOR,
        department=Department.objects.exclude(code__in=SITE_CHECK_DEPARTMENTS).first(),
    )
    login(client, outsider)

    elsewhere = not_found_text(client, reverse("inspections:photo", args=[photo.pk]))
    nowhere = not_found_text(client, reverse("inspections:photo", args=[photo.pk + 1000]))

    assert "没有找到这张照片。" in elsewhere
    assert "没有找到这张照片。" in nowhere
    assert "联合核查" not in elsewhere


def test_another_applicants_evidence_reads_like_evidence_that_does_not_exist(
    client: Client,
    inspection: JointInspection,
    chen: User,
    alice: User,
    bob: User,
    inspectors: dict[str, User],
) -> None:
    record_everything(inspection, inspectors, fail="429006-xf")
    inspection_finish(inspection=inspection, organiser=chen)
    rectification_report(inspection=inspection, applicant=alice, text="已更换全部灭火器。", evidence=[pdf()])
    evidence = RectificationEvidence.objects.get()
    login(client, bob)

    elsewhere = not_found_text(client, reverse("inspections:evidence", args=[evidence.pk]))
    nowhere = not_found_text(client, reverse("inspections:evidence", args=[evidence.pk + 1000]))

    assert "没有找到这份材料。" in elsewhere
    assert "没有找到这份材料。" in nowhere
    assert "联合核查" not in elsewhere
