"""The notice does not ask for originals or copies of documents it says the applicant need not hand in.

Materials taken from shared department records (部门共享调取) and materials replaced by the
commitment letter (告知承诺替代) say "无需提交" in the 份数 column, on the page and in the PDF.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

# Own premises: the property certificate is taken from shared records; the commitment replaces
# the security guarantee, the fire and hygiene documents.
ANSWERS = {"premises_leased": "no", "use_commitment": "yes", "food": "meals"}


def table(body: str, key: str) -> str:
    return body.split(f'id="notice-materials-{key}"')[1].split("</table>")[0]


def counts(table_html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", cell).strip()
        for cell in re.findall(r'<td data-label="份数">(.*?)</td>', table_html, re.S)
    ]


def test_the_notice_page_says_nothing_to_submit_for_shared_and_committed_materials(client: Client) -> None:
    body = client.get(reverse("bundles:notice", args=["hotel"]), ANSWERS).content.decode()
    shared, committed, uploads = table(body, "shared"), table(body, "commitment"), table(body, "upload")
    assert "营业执照" in shared  # held as 复印件 1 份 by the catalogue
    assert "旅馆治安安全保证书" in committed  # held as 原件 1 份
    for rows in (shared, committed):
        assert counts(rows) and set(counts(rows)) == {"无需提交"}
    assert any("份" in cell for cell in counts(uploads))
    assert "无需提交" not in counts(uploads)


@pytest.mark.skipif(
    not Path(settings.PDF_FONT_PATH).is_file() or shutil.which("pdftotext") is None,
    reason="fonts-wqy-zenhei or poppler-utils is not installed",
)
def test_the_notice_pdf_says_nothing_to_submit_for_shared_and_committed_materials(client: Client) -> None:
    content = client.get(reverse("bundles:notice_pdf", args=["hotel"]), ANSWERS).content
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    flat = re.sub(r"\s+", "", result.stdout.decode("utf-8"))
    uploads = flat.split("（一）需提交的材料")[1].split("（二）部门共享调取的材料")[0]
    shared = flat.split("（二）部门共享调取的材料")[1].split("（三）以告知承诺替代的材料")[0]
    committed = flat.split("（三）以告知承诺替代的材料")[1].split("五、办理时限")[0]
    assert "营业执照" in shared
    for section in (shared, committed):
        assert "无需提交" in section.split("）", 1)[1]  # in the table, not only in the heading
        assert "复印件" not in section
        assert "原件" not in section
    assert "复印件" in uploads or "原件" in uploads
