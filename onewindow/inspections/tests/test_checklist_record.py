"""Recording the shared checklist: each inspector his own section, photos checked by content."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import Role, User
from onewindow.cases.errors import CaseConflict, CaseForbidden, CaseInvalid
from onewindow.inspections.models import ChecklistEntry, ChecklistPhoto, InspectionStatus, JointInspection
from onewindow.inspections.services import checklist_record, inspection_finish
from onewindow.inspections.tests.conftest import entry_of, login, pdf, png, record_everything, text_file

pytestmark = pytest.mark.django_db
URLS = pytest.mark.urls("onewindow.inspections.tests.urls_for_tests")


def test_an_inspector_records_his_own_section_with_photos(
    inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    entry = entry_of(inspection, "429006-wj")
    checklist_record(
        entry=entry,
        inspector=inspectors["429006-wj"],
        result="fail",
        note="消毒间未设清洗池",
        photos=[png("a.png"), png("b.png")],
    )
    entry.refresh_from_db()
    assert (entry.result, entry.note, entry.recorded_by) == (
        "fail",
        "消毒间未设清洗池",
        inspectors["429006-wj"],
    )
    assert entry.photos.count() == 2
    assert all(p.content_type == "image/png" and len(p.sha256) == 64 for p in entry.photos.all())
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS


def test_an_inspector_of_another_department_cannot_edit_a_section(
    inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    entry = entry_of(inspection, "429006-yc")
    with pytest.raises(CaseForbidden) as problem:
        checklist_record(entry=entry, inspector=inspectors["429006-wj"], result="pass")
    assert problem.value.message == "这一部分由天门市烟草专卖局的核查人员填写，您只能填写本部门的核查项。"
    entry.refresh_from_db()
    assert entry.result == ""


def test_a_colleague_who_was_not_sent_cannot_edit_either(
    inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    colleague = User.objects.create_user(
        username="wj-2", role=Role.INSPECTOR, department=inspectors["429006-wj"].department
    )
    with pytest.raises(CaseForbidden) as problem:
        checklist_record(entry=entry_of(inspection, "429006-wj"), inspector=colleague, result="pass")
    assert problem.value.message == "本部门的核查项由市卫健委核查员填写，如需调整请联系牵头部门。"


def test_a_failure_needs_a_note(inspection: JointInspection, inspectors: dict[str, User]) -> None:
    with pytest.raises(CaseInvalid) as problem:
        checklist_record(
            entry=entry_of(inspection, "429006-wj"), inspector=inspectors["429006-wj"], result="fail"
        )
    assert "note" in problem.value.fields
    with pytest.raises(CaseInvalid) as problem:
        checklist_record(
            entry=entry_of(inspection, "429006-wj"), inspector=inspectors["429006-wj"], result=""
        )
    assert "result" in problem.value.fields


def test_photo_upload_rejects_a_non_image(inspection: JointInspection, inspectors: dict[str, User]) -> None:
    entry = entry_of(inspection, "429006-wj")
    with pytest.raises(CaseInvalid) as problem:
        checklist_record(entry=entry, inspector=inspectors["429006-wj"], result="pass", photos=[text_file()])
    assert problem.value.code == "upload_type"
    with pytest.raises(CaseInvalid) as problem:
        checklist_record(entry=entry, inspector=inspectors["429006-wj"], result="pass", photos=[pdf()])
    assert problem.value.code == "photo_type"
    assert "JPEG 或 PNG" in problem.value.message
    entry.refresh_from_db()
    assert entry.result == ""
    assert not ChecklistPhoto.objects.filter(entry=entry).exists()


def test_finishing_needs_every_entry_and_then_closes_the_checklist(
    inspection: JointInspection, chen: User, inspectors: dict[str, User]
) -> None:
    checklist_record(
        entry=entry_of(inspection, "429006-wj"), inspector=inspectors["429006-wj"], result="pass"
    )
    with pytest.raises(CaseInvalid) as problem:
        inspection_finish(inspection=inspection, organiser=chen)
    assert "天门市消防救援大队" in problem.value.message
    record_everything(inspection, inspectors, fail="429006-xf")
    with pytest.raises(CaseForbidden):
        inspection_finish(inspection=inspection, organiser=inspectors["429006-xf"])
    inspection = inspection_finish(inspection=inspection, organiser=chen)
    assert inspection.status == InspectionStatus.FINDINGS_ISSUED
    with pytest.raises(CaseConflict):
        checklist_record(
            entry=entry_of(inspection, "429006-wj"),
            inspector=inspectors["429006-wj"],
            result="fail",
            note="x",
        )


# ---------------------------------------------------------------- the shared page


@URLS
def test_the_shared_page_lists_every_section_and_only_his_own_is_editable(
    client: Client, inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    login(client, inspectors["429006-wj"])
    response = client.get(reverse("inspections:checklist", args=[inspection.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for name in (
        "天门市公安局",
        "天门市消防救援大队",
        "天门市卫生健康委员会",
        "天门市烟草专卖局",
        "天门市体育局",
    ):
        assert name in body
    own = ChecklistEntry.objects.filter(
        assignment__inspection=inspection, assignment__department__code="429006-wj"
    )
    others = ChecklistEntry.objects.filter(assignment__inspection=inspection).exclude(pk__in=own)
    for entry in own:
        assert reverse("inspections:record", args=[inspection.pk, entry.pk]) in body
    for entry in others:
        assert reverse("inspections:record", args=[inspection.pk, entry.pk]) not in body
    assert body.count('capture="environment"') == own.count()
    assert 'data-editable="true"' in body


@URLS
def test_posting_to_another_departments_section_is_refused_in_chinese(
    client: Client, inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    entry = entry_of(inspection, "429006-yc")
    login(client, inspectors["429006-wj"])
    response = client.post(reverse("inspections:record", args=[inspection.pk, entry.pk]), {"result": "pass"})
    assert response.status_code == 403
    assert "这一部分由天门市烟草专卖局的核查人员填写，您只能填写本部门的核查项。" in response.content.decode()
    entry.refresh_from_db()
    assert entry.result == ""


@URLS
def test_a_department_not_in_the_inspection_gets_404(
    client: Client, inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    outsider = inspectors["429006-zj"]  # 住建局: sewage needs no site check
    login(client, outsider)
    assert client.get(reverse("inspections:checklist", args=[inspection.pk])).status_code == 404
    entry = entry_of(inspection, "429006-wj")
    response = client.post(reverse("inspections:record", args=[inspection.pk, entry.pk]), {"result": "pass"})
    assert response.status_code == 404


@URLS
def test_a_photo_that_is_not_an_image_is_refused_on_the_page(
    client: Client, inspection: JointInspection, inspectors: dict[str, User]
) -> None:
    entry = entry_of(inspection, "429006-wj")
    login(client, inspectors["429006-wj"])
    url = reverse("inspections:record", args=[inspection.pk, entry.pk])
    response = client.post(url, {"result": "pass", "note": "", "photos": [text_file()]})
    assert response.status_code == 422
    assert "只能上传 PDF、JPEG 或 PNG 文件" in response.content.decode()
    response = client.post(url, {"result": "pass", "note": "良好", "photos": [png()]})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#entry-{entry.pk}")
    photo = ChecklistPhoto.objects.get(entry=entry)
    served = client.get(reverse("inspections:photo", args=[photo.pk]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    login(client, inspectors["429006-zj"])
    assert client.get(reverse("inspections:photo", args=[photo.pk])).status_code == 404


@URLS
def test_only_the_organiser_finishes_from_the_page(
    client: Client, inspection: JointInspection, chen: User, inspectors: dict[str, User]
) -> None:
    record_everything(inspection, inspectors)
    login(client, inspectors["429006-wj"])
    response = client.post(
        reverse("inspections:finish", args=[inspection.pk]), {"rectification_workdays": "15"}
    )
    assert response.status_code == 403
    assert "只有牵头部门（天门市公安局）的人员可以办理此项" in response.content.decode()
    login(client, chen)
    response = client.post(
        reverse("inspections:finish", args=[inspection.pk]), {"rectification_workdays": "15"}
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PASSED
