"""A material's file keeps its extension however long its name: downloaded, it still opens."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.cases.demo import DEMO_PDF
from onewindow.cases.models import Case, CaseMaterial
from onewindow.cases.services import case_material_upload


@pytest.mark.django_db
def test_a_long_file_name_keeps_its_extension_when_downloaded(draft: Case, alice: User) -> None:
    row = (
        draft.materials.filter(disposition=CaseMaterial.Disposition.UPLOAD).select_related("material").first()
    )
    assert row is not None
    name = "天门市悦来宾馆有限公司场所平面布局图" * 12 + ".pdf"  # 229 characters: browsers send it
    stored = case_material_upload(
        case=draft,
        user=alice,
        material_code=row.material.code,
        upload=SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf"),
    )
    assert len(stored.original_name) == 200
    assert stored.original_name.startswith("天门市悦来宾馆有限公司场所平面布局图")
    client = Client()
    client.force_login(alice)

    response = client.get(reverse("cases:material_download", args=[draft.pk, row.material.code]))

    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).rstrip('"').endswith(".pdf")
