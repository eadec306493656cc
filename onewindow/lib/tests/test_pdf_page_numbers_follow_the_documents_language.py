"""Every page of a PDF says which page of how many it is, in the language the document is written in.

The English notice says "Page 1 of 4"; the centre's official notices are Chinese documents and keep
"第 1 页 共 4 页" whatever language the person downloading them reads.
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
from django.utils import translation

from onewindow.lib.pdf import para, render_pdf, styles

pytestmark = pytest.mark.skipif(
    not Path(settings.PDF_FONT_PATH).is_file() or shutil.which("pdftotext") is None,
    reason="fonts-wqy-zenhei or poppler-utils is not installed",
)


def pages(content: bytes) -> list[str]:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return [page for page in result.stdout.decode("utf-8").split("\f") if page.strip()]


def one_page_pdf(language: str | None = None) -> str:
    story = [para("测试正文", styles().body)]
    content = render_pdf(story, title="测试通知书", issuer="天门市政务服务中心", language=language)
    [page] = pages(content)
    return re.sub(r"\s+", " ", page)


@pytest.mark.django_db
def test_the_english_notice_pdf_numbers_its_pages_in_english(client: Client) -> None:
    client.cookies["django_language"] = "en"
    content = client.get(reverse("bundles:notice_pdf", args=["hotel"]), {"food": "meals"}).content
    english = pages(content)
    assert len(english) >= 2
    assert "Based on your answers" in english[0]
    for number, page in enumerate(english, start=1):
        assert f"Page {number} of {len(english)}" in page
        assert not re.search(r"第\s*\d+\s*页", page)


def test_a_document_in_english_is_numbered_in_english() -> None:
    assert "Page 1 of 1" in one_page_pdf(language="en")


def test_an_official_chinese_notice_keeps_chinese_page_numbers_for_an_english_reader() -> None:
    with translation.override("en"):
        text = one_page_pdf()
    assert re.search(r"第\s*1\s*页\s*共\s*1\s*页", text)
    assert "Page" not in text
