"""The licence PDF shows what the holder and an inspector need, in an embedded Chinese font."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from onewindow.licenses.licence_pdf import LicenceData, example_licence, render_licence_pdf
from onewindow.licenses.qr import qr_png

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext/pdffonts (Debian poppler-utils) not installed"
)
needs_zbar = pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="decoding the QR code needs zbarimg (Debian zbar-tools) and pdftoppm (poppler-utils)",
)


@pytest.fixture(scope="module")
def licence() -> LicenceData:
    return example_licence(9)


@pytest.fixture(scope="module")
def pdf(licence: LicenceData) -> bytes:
    return render_licence_pdf(licence)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _page_count(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"])


def _decode_qr(image: Path) -> str:
    result = subprocess.run(
        ["zbarimg", "--raw", "--quiet", "-Sdisable", "-Sqrcode.enable", str(image)],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@needs_poppler
def test_licence_shows_holder_permits_and_identifier(
    pdf: bytes, licence: LicenceData, tmp_path: Path
) -> None:
    # Table cells wrap, so compare with all white space removed.
    text = re.sub(r"\s+", "", _text(pdf, tmp_path))
    assert licence.licence_name in text
    assert licence.holder_name in text
    assert licence.uscc in text
    assert licence.licence_number in text
    assert licence.identifier in text
    assert licence.issuer in text
    for permit in licence.permits:
        assert permit.permit_number in text
        assert permit.item_name in text
    assert "扫码核验" in text
    assert "2026年6月1日至长期" in text


@needs_poppler
def test_licence_embeds_its_chinese_font(pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line]
    assert cjk
    # Columns: name type encoding emb sub uni ...; every CJK face must be embedded.
    assert all(line.split()[3] == "yes" for line in cjk)


def test_nine_permits_fit_on_one_a4_page(pdf: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(pdf))
    assert _page_count(pdf) == 1
    box = reader.root["/Pages"]["/Kids"][0]["/MediaBox"]
    width, height = float(box[2]), float(box[3])
    assert (round(width), round(height)) == (595, 842)


@needs_poppler
def test_many_permits_continue_on_a_second_page(licence: LicenceData, tmp_path: Path) -> None:
    long_licence = example_licence(30)
    pdf = render_licence_pdf(long_licence)
    assert _page_count(pdf) == 2
    text = _text(pdf, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert "第2页共2页" in flat
    assert all(permit.permit_number in flat for permit in long_licence.permits)


def test_licence_metadata_names_the_holder_and_identifier(pdf: bytes, licence: LicenceData) -> None:
    info = PdfFileReader(io.BytesIO(pdf)).trailer["/Info"]
    assert str(info["/Title"]) == f"{licence.licence_name}（{licence.holder_name}）"
    assert str(info["/Subject"]) == licence.identifier


@needs_zbar
def test_qr_code_on_the_licence_decodes_to_the_verification_url(
    pdf: bytes, licence: LicenceData, tmp_path: Path
) -> None:
    path = tmp_path / "licence.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True
    )
    assert _decode_qr(tmp_path / "page.png") == licence.verification_url


@needs_zbar
def test_qr_png_decodes_to_the_url(tmp_path: Path) -> None:
    url = "https://zwfw.tianmen.gov.cn/licences/verify/1.2.156.3005.2.X.Y.Z.001.U"
    png = qr_png(url)
    assert png.startswith(b"\x89PNG")
    (tmp_path / "qr.png").write_bytes(png)
    assert _decode_qr(tmp_path / "qr.png") == url


def test_licence_without_end_date_and_with_markup_characters_renders(licence: LicenceData) -> None:
    odd = replace(licence, holder_name="A&B <酒店> 有限公司", valid_until=None, permits=())
    assert render_licence_pdf(odd).startswith(b"%PDF-")
