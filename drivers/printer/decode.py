"""ESC/POS bytes back to an image: what the paper would look like, for tests and technicians."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from barcode.codex import Code128
from PIL import Image, ImageDraw, ImageFont

from drivers.printer.commands import (
    Align,
    Cut,
    EscPosParser,
    Init,
    LineFeed,
    NativeBarcode,
    NativeQr,
    Raster,
    StatusQuery,
    Text,
    Unknown,
)

LINE_DOTS = 30  # default line spacing of common 203 dpi printers
_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


@dataclass
class DecodedPrint:
    """Receipts (one per cut), plus what the stream held besides dots."""

    width: int
    receipts: list[Image.Image] = field(default_factory=list)
    status_queries: int = 0
    unknown_bytes: int = 0
    native_codes: list[str] = field(default_factory=list)
    trailing_bytes: int = 0

    def combined(self) -> Image.Image:
        """All receipts one under the other, with a dashed line where the cutter cut."""
        gap = 24
        height = sum(r.height for r in self.receipts) + gap * max(0, len(self.receipts) - 1)
        out = Image.new("1", (self.width, max(1, height)), 1)
        draw = ImageDraw.Draw(out)
        y = 0
        for i, receipt in enumerate(self.receipts):
            out.paste(receipt, (0, y))
            y += receipt.height
            if i < len(self.receipts) - 1:
                for x in range(0, self.width, 12):
                    draw.line((x, y + gap // 2, x + 6, y + gap // 2), fill=0)
                y += gap
        return out


class _Paper:
    def __init__(self, width: int) -> None:
        self.width = width
        self.strips: list[Image.Image] = []
        self.align = 0
        self.text = b""

    def feed(self, dots: int) -> None:
        if dots > 0:
            self.strips.append(Image.new("1", (self.width, dots), 1))

    def raster(self, command: Raster) -> None:
        img_width = command.width_bytes * 8
        # In GS v 0 a set bit is a black dot; in Pillow's "1" raw mode a set bit is white.
        strip = Image.frombytes("1", (img_width, command.height), command.data, "raw", "1;I")
        if command.mode in (1, 3):  # double width
            strip = strip.resize((img_width * 2, command.height), Image.Resampling.NEAREST)
        if command.mode in (2, 3):  # double height
            strip = strip.resize((strip.width, command.height * 2), Image.Resampling.NEAREST)
        line = Image.new("1", (self.width, strip.height), 1)
        x = {0: 0, 1: (self.width - strip.width) // 2, 2: self.width - strip.width}[self.align]
        line.paste(strip, (max(0, x), 0))
        self.strips.append(line)

    def _place(self, strip: Image.Image) -> None:
        line = Image.new("1", (self.width, strip.height), 1)
        x = {0: 0, 1: (self.width - strip.width) // 2, 2: self.width - strip.width}[self.align]
        line.paste(strip, (max(0, x), 0))
        self.strips.append(line)

    def qr(self, command: NativeQr) -> None:
        """Draw a native QR as the printer would (the data, module size and level it was sent)."""
        levels = {
            "L": qrcode.constants.ERROR_CORRECT_L,
            "M": qrcode.constants.ERROR_CORRECT_M,
            "Q": qrcode.constants.ERROR_CORRECT_Q,
            "H": qrcode.constants.ERROR_CORRECT_H,
        }
        code = qrcode.QRCode(error_correction=levels[command.ec], border=0)
        code.add_data(command.data.decode("latin-1"))
        code.make(fit=True)
        matrix: list[list[bool]] = code.get_matrix()
        n = len(matrix)
        tile = Image.new("1", (n, n), 1)
        tile.putdata([0 if cell else 1 for row in matrix for cell in row])
        size = n * max(1, command.module)
        self._place(tile.resize((size, size), Image.Resampling.NEAREST))

    def barcode(self, command: NativeBarcode) -> None:
        """Draw a native Code 128 (GS k 73); other symbologies are listed, not drawn."""
        text = command.data.decode("latin-1")
        # Strip the code-set selectors ({A {B {C); "{{" stands for a literal brace.
        plain = text.replace("{{", "\x00")
        for selector in ("{A", "{B", "{C"):
            plain = plain.replace(selector, "")
        modules = Code128(plain.replace("\x00", "{")).build()[0]
        module = max(1, command.module)
        strip = Image.new("1", (len(modules) * module, max(1, command.height)), 1)
        draw = ImageDraw.Draw(strip)
        for i, bit in enumerate(modules):
            if bit == "1":
                draw.rectangle((i * module, 0, (i + 1) * module - 1, strip.height), fill=0)
        self._place(strip)

    def flush_text(self, advance: bool) -> None:
        if not self.text and not advance:
            return
        line = Image.new("1", (self.width, LINE_DOTS), 1)
        if self.text:
            draw = ImageDraw.Draw(line)
            font = ImageFont.truetype(str(_MONO), 20) if _MONO.is_file() else None
            text = self.text.decode("cp437", errors="replace")
            length = draw.textlength(text, font=font)
            x = {0: 0.0, 1: (self.width - length) / 2, 2: self.width - length}[self.align]
            draw.text((x, 4), text, font=font, fill=0)
            self.text = b""
        self.strips.append(line)

    def tear(self) -> Image.Image:
        self.flush_text(advance=False)
        height = sum(s.height for s in self.strips)
        out = Image.new("1", (self.width, max(1, height)), 1)
        y = 0
        for strip in self.strips:
            out.paste(strip, (0, y))
            y += strip.height
        self.strips = []
        return out


def decode(data: bytes, width: int | None = None) -> DecodedPrint:
    """Replay ``data`` on virtual paper ``width`` dots wide (default: the widest raster)."""
    commands = EscPosParser().feed(data)
    rasters = [c.width_bytes * 8 for c in commands if isinstance(c, Raster)]
    paper_width = width or max([*rasters, 384])
    result = DecodedPrint(width=paper_width)
    paper = _Paper(paper_width)
    parser_tail = EscPosParser()
    parser_tail.feed(data)
    result.trailing_bytes = parser_tail.pending
    for command in commands:
        if isinstance(command, Raster):
            paper.flush_text(advance=False)
            paper.raster(command)
        elif isinstance(command, Text):
            paper.text += command.data
        elif isinstance(command, LineFeed):
            if command.dots is not None:
                paper.flush_text(advance=False)
                paper.feed(command.dots)
            else:
                paper.flush_text(advance=True)
                paper.feed(LINE_DOTS * (command.lines - 1))
        elif isinstance(command, Align):
            paper.align = command.mode if command.mode in (0, 1, 2) else 0
        elif isinstance(command, Init):
            paper.align = 0
        elif isinstance(command, Cut):
            result.receipts.append(paper.tear())
        elif isinstance(command, StatusQuery):
            result.status_queries += 1
        elif isinstance(command, NativeQr):
            paper.flush_text(advance=False)
            paper.qr(command)
            result.native_codes.append(f"QR: {command.data.decode('latin-1')}")
        elif isinstance(command, NativeBarcode):
            paper.flush_text(advance=False)
            if command.system == 73:
                paper.barcode(command)
            result.native_codes.append(
                f"barcode {command.system}: {command.data.decode('latin-1')}"
            )
        elif isinstance(command, Unknown):
            result.unknown_bytes += 1
    if paper.strips or paper.text:
        result.receipts.append(paper.tear())
    return result


def decode_to_png(data: bytes, out: Path, width: int | None = None) -> DecodedPrint:
    result = decode(data, width)
    result.combined().save(out)
    return result
