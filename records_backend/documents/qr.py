"""The QR code printed on a document."""

from __future__ import annotations

import base64
import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4
SCALE = 4


def qr_png(text: str) -> bytes:
    """A small 1-bit PNG of the QR, quiet zone included, four pixels per module.

    A raster renders several times faster than an SVG path in WeasyPrint; four pixels per
    module keep the edges clean when a viewer or printer resamples it (zbar then reads the
    page at 100 dpi already).
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(text)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = image.resize((size * SCALE, size * SCALE), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode("ascii")
