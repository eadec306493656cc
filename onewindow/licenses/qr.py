"""QR codes for licences (扫码核验): a PNG for pages and a vector flowable for PDFs, via segno."""

from __future__ import annotations

import io

import segno
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

ERROR_LEVEL = "M"
# The four-module light margin the QR standard requires around the symbol.
QUIET_ZONE = 4


def qr_code(url: str) -> segno.QRCode:
    """A regular (not micro) QR code at error level M exactly, so its size is predictable."""
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def qr_png(url: str, scale: int = 6) -> bytes:
    """PNG bytes of the code, `scale` pixels per module, quiet zone included."""
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


class QrFlowable(Flowable):
    """The code drawn as vector squares `size` points wide (quiet zone included).

    Vectors stay sharp when printed and cost a few hundred path operations, far less than
    embedding an image.
    """

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url = url
        self.size = size
        self._code = qr_code(url)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self._code, x=0, y=0, size=self.size)


def draw_qr(canvas: Canvas, code: segno.QRCode, *, x: float, y: float, size: float) -> None:
    """Draw `code` with its quiet zone in the square whose lower-left corner is (x, y)."""
    rows = [bytes(row) for row in code.matrix]
    modules = len(rows) + 2 * QUIET_ZONE
    unit = size / modules
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        top = y + size - (QUIET_ZONE + row_index + 1) * unit
        column = 0
        # One rectangle per horizontal run of dark modules keeps the path short.
        while column < len(row):
            if not row[column] & 1:
                column += 1
                continue
            start = column
            while column < len(row) and row[column] & 1:
                column += 1
            path.rect(x + (QUIET_ZONE + start) * unit, top, (column - start) * unit, unit)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
