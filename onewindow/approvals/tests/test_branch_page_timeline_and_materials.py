"""The branch page names every step in Chinese and shows every file the applicant handed in."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.approvals.tests.conftest import FIRE, branch_of, signed_in, text
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services import event_append


def test_an_inspection_step_shows_its_chinese_name(case: Case, fire: User) -> None:
    branch = branch_of(case, FIRE)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        event_append(
            case=locked,
            actor=fire,
            action="checklist_recorded",
            after="fail",
            comment="疏散指示标志损坏",
            data={"item": branch.item.code, "department": FIRE},
        )
    page = text(signed_in(fire).get(reverse("approvals:branch", args=[branch.pk])))
    assert "填写现场核查项" in page
    assert "checklist_recorded" not in page


def test_a_scan_handed_in_for_a_shared_licence_is_shown(case: Case, fire: User) -> None:
    branch = branch_of(case, FIRE)
    wanted = [m["code"] for m in case.plan["materials"] if branch.item.code in m["items"]]
    row = case.materials.select_related("material").filter(material__code__in=wanted).first()
    assert row is not None
    row.disposition = CaseMaterial.Disposition.SHARED
    row.shared_reference = ""
    row.file.save("scan.pdf", ContentFile(b"%PDF-1.4\n%%EOF"), save=False)
    row.original_name = "营业执照扫描件.pdf"
    row.size = 14
    row.sha256 = "ab" * 32
    row.save()
    page = text(signed_in(fire).get(reverse("approvals:branch", args=[branch.pk])))
    download = reverse("cases:material_download", args=[case.pk, row.material.code])
    assert f'<a class="action-link" href="{download}">营业执照扫描件.pdf</a>' in page
    assert "尚未调取" not in page
