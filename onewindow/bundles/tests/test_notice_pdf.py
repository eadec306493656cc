"""The one notice (一单告知) as a PDF: embedded Chinese font, every item, page numbers, clear failure."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from onewindow.bundles.models import Bundle
from onewindow.bundles.planner import plan_for
from onewindow.bundles.tests.test_bundle_pages import PAGETEST_YAML, answers_selecting_every_item
from onewindow.bundles.transfer import bundle_import
from onewindow.lib.pdf import FontUnavailable, register_cjk_font

pytestmark = pytest.mark.django_db

needs_font = pytest.mark.skipif(
    not Path(settings.PDF_FONT_PATH).is_file(), reason="fonts-wqy-zenhei is not installed"
)
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


def pdf_text(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


@pytest.fixture
def pagetest() -> Bundle:
    bundle_import(PAGETEST_YAML)
    return Bundle.objects.get(code="pagetest")


@needs_font
def test_notice_pdf_is_an_inline_pdf_with_a_chinese_filename(client: Client, pagetest: Bundle) -> None:
    response = client.get(reverse("bundles:notice_pdf", args=["pagetest"]), {"meals": "meals"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f"inline; filename=\"notice-pagetest.pdf\"; filename*=UTF-8''{quote('一单告知-页面测试业.pdf')}"
    )
    assert int(response["Content-Length"]) == len(response.content)


@needs_font
def test_notice_pdf_embeds_the_wqy_font(client: Client, pagetest: Bundle) -> None:
    content = client.get(reverse("bundles:notice_pdf", args=["pagetest"])).content
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+WenQuanYiZenHei", content)
    assert b"/FontFile2" in content  # the TrueType outlines themselves, not a reference


@needs_font
@needs_pdftotext
def test_hotel_notice_pdf_contains_every_item_and_material_in_chinese(client: Client) -> None:
    hotel = Bundle.objects.get(code="hotel")
    answers = answers_selecting_every_item(hotel)
    response = client.get(reverse("bundles:notice_pdf", args=["hotel"]), answers)
    assert response.status_code == 200
    text = pdf_text(response.content)
    flat = re.sub(r"\s+", "", text)
    plan = plan_for("hotel", answers)
    assert len(plan.items) == 9
    for plan_item in plan.items:
        assert plan_item.item.name in flat, plan_item.item.name
    for material in plan.uploads:
        assert re.sub(r"\s+", "", material.material.name) in flat, material.material.name
    assert hotel.name in flat
    assert settings.CENTRE_NAME in flat
    assert "生成于" in flat


@needs_font
@needs_pdftotext
def test_every_page_says_which_page_of_how_many(client: Client) -> None:
    hotel = Bundle.objects.get(code="hotel")
    content = client.get(
        reverse("bundles:notice_pdf", args=["hotel"]), answers_selecting_every_item(hotel)
    ).content
    pages = pdf_text(content).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        # pdftotext drops the spaces around the numbers
        assert f"第{number}页共{len(pages)}页" in re.sub(r"\s+", "", page)


def test_missing_font_is_a_chinese_503_naming_the_package(
    client: Client, pagetest: Bundle, tmp_path: Path
) -> None:
    with override_settings(PDF_FONT_PATH=str(tmp_path / "missing.ttc")):
        response = client.get(reverse("bundles:notice_pdf", args=["pagetest"]), {"meals": "meals"})
    assert response.status_code == 503
    body = response.content.decode()
    assert "暂时无法生成 PDF 文件" in body
    assert "fonts-wqy-zenhei" in body
    assert "Traceback" not in body
    assert reverse("bundles:notice", args=["pagetest"]) + "?meals=meals" in body


def test_a_file_that_is_not_a_font_is_reported_too(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttc"
    broken.write_bytes(b"not a font")
    with (
        override_settings(PDF_FONT_PATH=str(broken)),
        pytest.raises(FontUnavailable, match="fonts-wqy-zenhei"),
    ):
        register_cjk_font()


def test_pdf_with_invalid_answers_goes_back_to_the_questionnaire(client: Client, pagetest: Bundle) -> None:
    response = client.get(reverse("bundles:notice_pdf", args=["pagetest"]), {"rooms": "many"})
    assert response.status_code == 302
    assert response["Location"] == "/bundles/pagetest/?rooms=many"
