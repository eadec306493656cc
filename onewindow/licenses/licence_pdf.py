"""The comprehensive licence (综合许可证) as a one-page A4 PDF, ready to be signed."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from onewindow.lib.pdf import (
    ACCENT,
    FONT_NAME,
    HEAD_FILL,
    INK,
    MARGIN,
    MUTED,
    PAGE_SIZE,
    RULE,
    TEXT_WIDTH,
    PageDecorator,
    Styles,
    layout_a4,
    page_counting_canvas,
    para,
    register_cjk_font,
    styles,
    table,
)
from onewindow.licenses.qr import QrFlowable

QR_SIZE = 28 * mm
# The decorative frame sits between the paper edge and the text margin.
FRAME_INSET = 9 * mm


@dataclass(frozen=True)
class PermitLine:
    """One permit the licence carries (one approved service item)."""

    item_name: str
    department: str
    permit_number: str
    valid_from: date | None
    # None means the permit does not expire (长期).
    valid_until: date | None


@dataclass(frozen=True)
class LicenceData:
    """Everything printed on a comprehensive licence."""

    licence_name: str
    licence_number: str
    identifier: str
    holder_name: str
    uscc: str
    legal_representative: str
    address: str
    industry: str
    permits: tuple[PermitLine, ...]
    valid_from: date
    valid_until: date | None
    issuer: str
    issue_date: date
    verification_url: str
    version: int = 1


def chinese_date(value: date | None) -> str:
    """2025年6月1日; None (no end date) reads 长期."""
    if value is None:
        return "长期"
    return f"{value.year}年{value.month}月{value.day}日"


def _period(start: date | None, end: date | None) -> str:
    if start is None:
        return f"至{chinese_date(end)}" if end else "长期"
    return f"{chinese_date(start)}至{chinese_date(end)}"


@dataclass(frozen=True)
class _LicenceStyles:
    base: Styles
    title: ParagraphStyle
    number: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    value_small: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    section: ParagraphStyle
    issuer: ParagraphStyle
    caption: ParagraphStyle
    identifier: ParagraphStyle


def _styles() -> _LicenceStyles:
    base = styles()
    body = base.body
    return _LicenceStyles(
        base=base,
        title=ParagraphStyle(
            "licence-title", parent=body, fontSize=26, leading=32, alignment=TA_CENTER, textColor=ACCENT
        ),
        number=ParagraphStyle("licence-number", parent=body, fontSize=10, leading=14, alignment=TA_RIGHT),
        label=ParagraphStyle("licence-label", parent=body, fontSize=9.5, leading=13, textColor=ACCENT),
        value=ParagraphStyle("licence-value", parent=body, fontSize=10.5, leading=14),
        value_small=ParagraphStyle("licence-value-small", parent=body, fontSize=8.5, leading=12),
        cell=ParagraphStyle("licence-cell", parent=base.cell, fontSize=8.5, leading=11.5),
        cell_head=ParagraphStyle("licence-cell-head", parent=base.cell_head, fontSize=8.5, leading=11.5),
        section=ParagraphStyle(
            "licence-section",
            parent=body,
            fontSize=12,
            leading=16,
            spaceBefore=8,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        issuer=ParagraphStyle("licence-issuer", parent=body, fontSize=12, leading=19),
        caption=ParagraphStyle(
            "licence-caption", parent=body, fontSize=9, leading=12, alignment=TA_CENTER, textColor=INK
        ),
        identifier=ParagraphStyle(
            "licence-identifier", parent=body, fontSize=6.5, leading=8.5, alignment=TA_CENTER, textColor=MUTED
        ),
    )


def _holder_table(data: LicenceData, st: _LicenceStyles) -> Table:
    def label(text: str) -> Paragraph:
        return para(text, st.label)

    def value(text: str) -> Paragraph:
        return para(text, st.value)

    rows: list[list[Any]] = [
        [label("名　　称"), value(data.holder_name), "", ""],
        [
            label("统一社会信用代码"),
            value(data.uscc),
            label("法定代表人\n（负责人）"),
            value(data.legal_representative),
        ],
        [label("经营场所"), value(data.address), "", ""],
        [
            label("行业类别"),
            value(data.industry),
            label("有效期限"),
            value(_period(data.valid_from, data.valid_until)),
        ],
        [label("证照编号"), value(data.licence_number), label("版　　本"), value(f"第 {data.version} 版")],
        [label("电子证照标识"), para(data.identifier, st.value_small), "", ""],
    ]
    result = Table(rows, colWidths=[TEXT_WIDTH * w for w in (0.185, 0.315, 0.14, 0.36)])
    result.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (0, -1), HEAD_FILL),
                ("BACKGROUND", (2, 1), (2, 1), HEAD_FILL),
                ("BACKGROUND", (2, 3), (2, 4), HEAD_FILL),
                ("SPAN", (1, 0), (3, 0)),
                ("SPAN", (1, 2), (3, 2)),
                ("SPAN", (1, 5), (3, 5)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return result


def _permit_table(data: LicenceData, st: _LicenceStyles) -> Table:
    rows: list[list[object]] = [["序号", "许可事项", "审批部门", "许可证号", "有效期限"]]
    for index, permit in enumerate(data.permits, start=1):
        rows.append(
            [
                str(index),
                permit.item_name,
                permit.department,
                permit.permit_number,
                _period(permit.valid_from, permit.valid_until),
            ]
        )
    compact = dataclasses.replace(st.base, cell=st.cell, cell_head=st.cell_head)
    result = table(rows, [0.055, 0.24, 0.18, 0.25, 0.275], st=compact)
    result.setStyle(
        TableStyle([("BOX", (0, 0), (-1, -1), 1.2, ACCENT), ("ALIGN", (0, 0), (0, -1), "CENTER")])
    )
    return result


def _closing_block(data: LicenceData, st: _LicenceStyles) -> Table:
    """Issuer and date on the left, the QR code with its caption on the right."""
    left: list[Flowable] = [
        para(f"发证机关：{data.issuer}", st.issuer),
        para(f"发证日期：{chinese_date(data.issue_date)}", st.issuer),
        Spacer(1, 3 * mm),
        para(
            "本证将上列行政许可集成于一证（一业一证），持证人凭此证在有效期内依法开展经营。"
            "本电子证照经发证机关电子签章，与纸质证照具有同等效力；"
            "扫描右侧二维码或在 PDF 阅读器中查看签名，可核验真伪。",
            st.base.small,
        ),
    ]
    right: list[Flowable] = [
        QrFlowable(data.verification_url, QR_SIZE),
        para("扫码核验", st.caption),
        # wordWrap CJK lets the long dotted identifier break anywhere.
        para(data.identifier, st.identifier),
    ]
    qr_column = QR_SIZE + 16 * mm
    result = Table([[left, right]], colWidths=[TEXT_WIDTH - qr_column, qr_column])
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "BOTTOM"),
                ("VALIGN", (1, 0), (1, 0), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return result


class _PushToBottom(Flowable):
    """Empty space that leaves exactly `reserve` points at the bottom of the frame.

    So the issuer and QR code sit at the foot of the page, where a certificate has them;
    when less room is left, it takes none and the block moves to the next page whole.
    """

    def __init__(self, reserve: float) -> None:
        super().__init__()
        self.reserve = reserve
        self.height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # A hair of slack so rounding never pushes the block over the edge.
        self.height = max(availHeight - self.reserve - 1, 0)
        return availWidth, self.height

    def draw(self) -> None:
        return


def _page_decorator(data: LicenceData) -> PageDecorator:
    """Draws the double frame on every page and, past one page, the page count."""
    continued = f"{data.licence_name}　编号 {data.licence_number}"

    def decorate(canvas: Canvas, number: int, total: int) -> None:
        width, height = PAGE_SIZE
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(2.2)
        canvas.rect(FRAME_INSET, FRAME_INSET, width - 2 * FRAME_INSET, height - 2 * FRAME_INSET)
        canvas.setLineWidth(0.6)
        inner = FRAME_INSET + 1.6 * mm
        canvas.rect(inner, inner, width - 2 * inner, height - 2 * inner)
        if total > 1:
            canvas.setFont(FONT_NAME, 8.5)
            canvas.setFillColor(MUTED)
            bottom = FRAME_INSET + 4 * mm
            canvas.drawString(MARGIN, bottom, continued)
            canvas.drawRightString(width - MARGIN, bottom, f"第 {number} 页 共 {total} 页")
        canvas.restoreState()

    return decorate


def render_licence_pdf(data: LicenceData) -> bytes:
    """One A4 page (more if the permits do not fit); raises FontUnavailable without the CJK font."""
    register_cjk_font()
    st = _styles()
    closing = _closing_block(data, st)
    _width, closing_height = closing.wrap(TEXT_WIDTH, PAGE_SIZE[1])
    story: list[Flowable] = [
        para(data.licence_name, st.title),
        para("（一业一证）", st.base.subtitle),
        para(f"编号：{data.licence_number}", st.number),
        Spacer(1, 1.5 * mm),
        _holder_table(data, st),
        para("许可事项", st.section),
        _permit_table(data, st),
        Spacer(1, 4 * mm),
        _PushToBottom(closing_height),
        KeepTogether([closing]),
    ]
    return layout_a4(
        story,
        canvasmaker=page_counting_canvas(_page_decorator(data)),
        title=f"{data.licence_name}（{data.holder_name}）",
        author=data.issuer,
        subject=data.identifier,
    )


_EXAMPLE_PERMITS = (
    ("特种行业许可证（旅馆业）", "天门市公安局", "鄂公特旅字"),
    ("公共场所卫生许可证", "天门市卫生健康委员会", "鄂卫公证字"),
    ("食品经营许可证", "天门市市场监督管理局", "JY1429006"),
    ("消防安全检查合格证", "天门市消防救援大队", "天消安检字"),
    ("烟草专卖零售许可证", "天门市烟草专卖局", "429006"),
    ("娱乐经营许可证", "天门市文化和旅游局", "鄂文娱字"),
    ("户外广告设置许可", "天门市城市管理执法局", "天城广字"),
    ("排水许可证", "天门市住房和城乡建设局", "天排字"),
    ("城镇污水排入排水管网许可证", "天门市住房和城乡建设局", "天污排字"),
)


def example_licence(permit_count: int = 9, *, issue_date: date = date(2026, 6, 1)) -> LicenceData:
    """A realistic hotel licence for previews, tests and the benchmark (permit lines repeat past 9)."""
    permits = tuple(
        PermitLine(
            item_name=_EXAMPLE_PERMITS[index % len(_EXAMPLE_PERMITS)][0],
            department=_EXAMPLE_PERMITS[index % len(_EXAMPLE_PERMITS)][1],
            permit_number=f"{_EXAMPLE_PERMITS[index % len(_EXAMPLE_PERMITS)][2]}〔2026〕{index + 101:04d}号",
            valid_from=issue_date,
            valid_until=None
            if index == 3
            else issue_date + timedelta(days=365 * (5 if index % 2 else 4) - 1),
        )
        for index in range(permit_count)
    )
    identifier = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"
    return LicenceData(
        licence_name="旅馆业综合许可证",
        licence_number="天综许〔2026〕第000123号",
        identifier=identifier,
        holder_name="天门市竟陵悦来客栈有限公司",
        uscc="91429006MA4F2XYZ3K",
        legal_representative="张三丰",
        address="湖北省天门市竟陵街道陆羽大道西88号",
        industry="旅馆业",
        permits=permits,
        valid_from=issue_date,
        valid_until=issue_date + timedelta(days=365 * 4 - 1),
        issuer="天门市行政审批局",
        issue_date=issue_date,
        verification_url=f"https://zwfw.tianmen.gov.cn/licences/verify/{identifier}",
        version=1,
    )
