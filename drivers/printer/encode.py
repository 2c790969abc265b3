"""ESC/POS bytes for a rendered receipt, produced with python-escpos (its ``Dummy`` sink)."""

from __future__ import annotations

import contextlib
import io

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from drivers.printer.receipt import (
    DotWidth,
    ReceiptContent,
    render_receipt,
    render_receipt_parts,
)

#: Rows per ``GS v 0`` block: small blocks keep printers with small buffers happy and let a
#: paper-out stop the job close to where it happened.
FRAGMENT_ROWS = 256


def raster_blocks(image: Image.Image) -> bytes:
    """``GS v 0`` blocks of a 1-bit image, the bytes python-escpos's ``image()`` makes.

    python-escpos converts every image through RGBA, RGB and greyscale first (about 15 ms
    for a receipt); a receipt is already 1-bit, so its rows are packed directly (a unit test
    checks both give the same bytes).
    """
    bitmap = image if image.mode == "1" else image.convert("1")
    width_bytes = (bitmap.width + 7) // 8
    out = bytearray()
    for top in range(0, bitmap.height, FRAGMENT_ROWS):
        block = bitmap.crop((0, top, bitmap.width, min(bitmap.height, top + FRAGMENT_ROWS)))
        out += b"\x1dv0\x00" + width_bytes.to_bytes(2, "little")
        out += block.height.to_bytes(2, "little")
        out += block.tobytes("raw", "1;I")  # ESC/POS: bit set = black dot
    return bytes(out)


def encode_raster(
    image: Image.Image, profile: str, *, cut: bool = True, via_escpos_image: bool = False
) -> bytes:
    """Initialize, print ``image`` as raster blocks, feed and cut (when the model can)."""
    sink = Dummy(profile=profile)
    sink.hw("INIT")
    if via_escpos_image:
        sink.image(image, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS)
    else:
        sink._raw(raster_blocks(image))
    if cut:
        sink.cut()
    else:
        sink.print_and_feed(6)
    data: bytes = sink.output
    return data


def profile_width(profile: str) -> int | None:
    """The profile's dot width, or None when the printer database does not know it."""
    sink = Dummy(profile=profile)
    try:
        value = sink.profile.profile_data["media"]["width"]["pixels"]
    except KeyError:
        return None
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def supports_native_codes(profile: str, width: int) -> bool:
    """Native QR and Code 128 when the model has them and the code's bars fit the paper
    (at 384 dots, Code 128 of a request code at the narrowest 2-dot module is too wide)."""
    features = Dummy(profile=profile).profile.features
    return bool(features.get("qrCode") and features.get("barcodeB")) and width >= 576


def encode_receipt(
    content: ReceiptContent, width: DotWidth, profile: str, *, native_codes: bool = False
) -> bytes:
    """Render and encode one receipt: what a print job sends.

    With ``native_codes`` (and a model that supports them) the barcode and the QR code are
    sent as ESC/POS commands the printer draws itself (fewer bytes, sharper on a slow serial
    line); otherwise everything is raster.
    """
    if not (native_codes and supports_native_codes(profile, width)):
        return encode_raster(render_receipt(content, width), profile)
    top, bottom = render_receipt_parts(content, width)
    sink = Dummy(profile=profile)
    sink.hw("INIT")
    sink._raw(raster_blocks(top))
    with contextlib.redirect_stdout(io.StringIO()):  # python-escpos prints a notice here
        sink.barcode(
            "{B" + content.request_code,
            "CODE128",
            height=64,
            width=2,
            pos="OFF",
            function_type="B",
            align_ct=True,
        )
    sink._raw(b"\x1bJ\x10")  # a little paper between the bars and the QR
    sink.qr(content.qr_payload, ec=QR_ECLEVEL_M, size=6, native=True)
    sink._raw(b"\x1bJ\x10\x1ba\x00")
    sink._raw(raster_blocks(bottom))
    sink.cut()
    data: bytes = sink.output
    return data
