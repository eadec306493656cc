"""Shared ReportLab pieces: the embedded Chinese font, paragraph styles, tables and the page frame.

Notices, acceptance letters and licences all use these so that every PDF the centre hands
out looks the same: the centre's name at the top, "第 x 页 共 y 页" at the bottom (in the
document's language), Chinese text that wraps inside table cells.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_NAME = "WQY"
FONT_PACKAGE = "fonts-wqy-zenhei"

PAGE_SIZE = A4
MARGIN = 18 * mm
TEXT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
ACCENT = colors.HexColor("#0b4f9c")
RULE = colors.HexColor("#9aa5b1")
HEAD_FILL = colors.HexColor("#e6eef8")

_lock = threading.Lock()
_registered_path: str | None = None


class FontUnavailable(RuntimeError):
    """The configured CJK font cannot be loaded; the message says what to install."""

    def __init__(self, path: str, reason: str = "") -> None:
        self.path = path
        self.package = FONT_PACKAGE
        message = (
            f"生成 PDF 所需的中文字体无法载入：{path}。"
            f"请让系统管理员安装 Debian 软件包 {FONT_PACKAGE}（apt-get install {FONT_PACKAGE}），"
            "或把环境变量 PDF_FONT_PATH 设为一个 TrueType 中文字体文件的路径。"
        )
        if reason:
            message += f"（{reason}）"
        super().__init__(message)


def register_cjk_font() -> str:
    """Register settings.PDF_FONT_PATH as FONT_NAME once per process (again if the path changes)."""
    global _registered_path
    path = str(settings.PDF_FONT_PATH)
    with _lock:
        if _registered_path == path:
            return FONT_NAME
        if not Path(path).is_file():
            raise FontUnavailable(path)
        try:
            # A .ttc holds several faces; face 0 of wqy-zenhei is the proportional one.
            font = TTFont(FONT_NAME, path, subfontIndex=0)
        except (TTFError, OSError) as exc:
            raise FontUnavailable(path, str(exc)) from exc
        pdfmetrics.registerFont(font)
        # The font has no bold or italic face; map them to the regular one so <b> never fails.
        pdfmetrics.registerFontFamily(
            FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
        )
        _registered_path = path
    return FONT_NAME


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle


def styles() -> Styles:
    """Paragraph styles in the embedded font; wordWrap="CJK" lets Chinese break anywhere."""
    font = register_cjk_font()
    base = ParagraphStyle("ow-body", fontName=font, fontSize=10.5, leading=16, textColor=INK, wordWrap="CJK")
    return Styles(
        title=ParagraphStyle(
            "ow-title",
            parent=base,
            fontSize=20,
            leading=28,
            alignment=TA_CENTER,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        subtitle=ParagraphStyle(
            "ow-subtitle",
            parent=base,
            fontSize=10,
            leading=14,
            alignment=TA_CENTER,
            textColor=MUTED,
            spaceAfter=10,
        ),
        heading=ParagraphStyle(
            "ow-heading",
            parent=base,
            fontSize=14,
            leading=20,
            spaceBefore=12,
            spaceAfter=6,
            textColor=ACCENT,
            keepWithNext=1,
        ),
        subheading=ParagraphStyle(
            "ow-subheading", parent=base, fontSize=11.5, leading=17, spaceBefore=6, spaceAfter=3
        ),
        body=ParagraphStyle("ow-paragraph", parent=base, spaceAfter=4),
        small=ParagraphStyle("ow-small", parent=base, fontSize=9, leading=13, textColor=MUTED),
        cell=ParagraphStyle("ow-cell", parent=base, fontSize=9, leading=13),
        cell_head=ParagraphStyle("ow-cell-head", parent=base, fontSize=9, leading=13, textColor=ACCENT),
    )


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: markup characters are escaped, line breaks kept."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def table(
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    *,
    header_rows: int = 1,
    st: Styles | None = None,
) -> Table:
    """A ruled table whose cells wrap; strings become paragraphs, flowables pass through.

    col_widths are fractions of the text width and should add up to 1.
    """
    st = st or styles()
    data: list[list[Any]] = []
    for index, row in enumerate(rows):
        style = st.cell_head if index < header_rows else st.cell
        data.append([cell if isinstance(cell, Flowable) else para(cell, style) for cell in row])
    result = Table(data, colWidths=[TEXT_WIDTH * w for w in col_widths], repeatRows=header_rows)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD_FILL))
    result.setStyle(TableStyle(commands))
    return result


PageDecorator = Callable[[Canvas, int, int], None]


def page_counting_canvas(decorate: PageDecorator) -> type[Canvas]:
    """A canvas that holds every page back until the document ends.

    Then decorate(canvas, number, total) draws on each page, so "第 x 页 共 y 页" knows its total.
    """

    class PageCountingCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return PageCountingCanvas


def layout_a4(
    story: list[Flowable],
    *,
    canvasmaker: type[Canvas],
    title: str,
    author: str,
    subject: str = "",
    top_margin: float = MARGIN,
    lang: str = "zh-CN",
) -> bytes:
    """Lay out the story on A4 pages within the shared margins; return the PDF bytes.

    lang is the document's language as a BCP 47 tag, for screen readers.
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=top_margin,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator="一窗通办 OneWindow",
        lang=lang,
    )
    document.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


def render_pdf(
    story: list[Flowable],
    *,
    title: str,
    issuer: str,
    subject: str = "",
    footer_note: str = "",
    language: str | None = None,
) -> bytes:
    """Lay out the story on A4 pages with the shared header and footer; return the PDF bytes.

    language is the one the story is written in (a Django language code), for the page numbers.
    Without it the document is Chinese: the centre's official notices are, whatever language the
    person downloading them reads.
    """
    register_cjk_font()
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        page_numbers = _("第 %(n)d 页 共 %(t)d 页")

    def frame(canvas: Canvas, number: int, total: int) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8.5)
        canvas.setFillColor(MUTED)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = height - MARGIN + 6 * mm
        canvas.drawString(MARGIN, top, issuer)
        canvas.drawRightString(width - MARGIN, top, title)
        canvas.line(MARGIN, top - 2 * mm, width - MARGIN, top - 2 * mm)
        bottom = MARGIN - 9 * mm
        canvas.line(MARGIN, bottom + 4 * mm, width - MARGIN, bottom + 4 * mm)
        if footer_note:
            canvas.drawString(MARGIN, bottom, footer_note)
        canvas.drawRightString(width - MARGIN, bottom, page_numbers % {"n": number, "t": total})
        canvas.restoreState()

    return layout_a4(
        story,
        canvasmaker=page_counting_canvas(frame),
        title=title,
        author=issuer,
        subject=subject,
        top_margin=MARGIN + 4 * mm,
        lang="zh-CN" if language.startswith("zh") else language,
    )


def pdf_response(content: bytes, filename: str, *, ascii_filename: str = "document.pdf") -> HttpResponse:
    """Show the PDF in the browser under a Chinese filename.

    The name goes out RFC 6266-encoded (filename*=UTF-8''…), with an ASCII name first
    for the few clients that only read filename=.
    """
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", ascii_filename) or "document.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    response["Content-Length"] = str(len(content))
    return response
