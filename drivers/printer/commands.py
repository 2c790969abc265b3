"""An incremental ESC/POS command parser: the printer simulator and the decoder both read with it.

It understands the commands Sijill emits (init, alignment, feeds, raster images ``GS v 0``,
cut, real-time status) and the common ones around them (text, print modes, native barcodes
and QR codes). Unknown commands become ``Unknown`` so a technician sees where a stream
stopped making sense.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC = 0x1B
GS = 0x1D
DLE = 0x10
FS = 0x1C
LF = 0x0A
CR = 0x0D

# ESC <cmd> followed by a fixed number of argument bytes.
_ESC_ARGS = {
    0x20: 1,  # right-side character spacing
    0x21: 1,  # print mode
    0x24: 2,  # absolute position
    0x2D: 1,  # underline
    0x32: 0,  # default line spacing
    0x33: 1,  # line spacing
    0x3D: 1,  # peripheral device
    0x40: 0,  # initialize
    0x45: 1,  # emphasized
    0x47: 1,  # double strike
    0x4A: 1,  # feed n dots
    0x4D: 1,  # font
    0x52: 1,  # international character set
    0x56: 1,  # 90° rotation
    0x61: 1,  # justification
    0x64: 1,  # feed n lines
    0x70: 3,  # pulse (cash drawer)
    0x74: 1,  # code table
    0x7B: 1,  # upside down
}
# GS <cmd> followed by a fixed number of argument bytes.
_GS_ARGS = {
    0x21: 1,  # character size
    0x42: 1,  # reverse
    0x48: 1,  # HRI position
    0x4C: 2,  # left margin
    0x57: 2,  # print area width
    0x61: 1,  # automatic status back
    0x66: 1,  # HRI font
    0x68: 1,  # barcode height
    0x77: 1,  # barcode module width
}


@dataclass(frozen=True, slots=True)
class Text:
    data: bytes


@dataclass(frozen=True, slots=True)
class LineFeed:
    dots: int | None = None  # None: one text line
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Init:
    pass


@dataclass(frozen=True, slots=True)
class Align:
    mode: int  # 0 left, 1 centre, 2 right


@dataclass(frozen=True, slots=True)
class Raster:
    """``GS v 0``: a 1-bit image, rows of ``width_bytes`` bytes, bit set = black dot."""

    mode: int
    width_bytes: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Cut:
    partial: bool


@dataclass(frozen=True, slots=True)
class StatusQuery:
    n: int  # DLE EOT n: 1 printer, 2 offline cause, 3 error cause, 4 paper


@dataclass(frozen=True, slots=True)
class NativeQr:
    """Print the stored QR code; the parser carries the module size and error level set."""

    data: bytes
    module: int = 3
    ec: str = "L"
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class NativeBarcode:
    """``GS k``; the parser carries the bar height and module width set with GS h / GS w."""

    system: int
    data: bytes
    height: int = 162
    module: int = 3
    raw: bytes = b""


@dataclass(frozen=True, slots=True)
class Setting:
    """A mode command that changes no dot on its own (font, spacing, barcode height…)."""

    code: bytes


@dataclass(frozen=True, slots=True)
class Unknown:
    byte: int


Command = (
    Text
    | LineFeed
    | Init
    | Align
    | Raster
    | Cut
    | StatusQuery
    | NativeQr
    | NativeBarcode
    | Setting
    | Unknown
)


class _IncompleteError(Exception):
    """The buffer ends inside a command: wait for more bytes."""


class EscPosParser:
    """Feed bytes as they arrive; get back the commands completed so far."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._qr_data = b""
        self._qr_module = 3
        self._qr_ec = "L"
        self._bar_height = 162
        self._bar_module = 3

    @property
    def pending(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Command]:
        self._buffer += data
        out: list[Command] = []
        pos = 0
        buf = bytes(self._buffer)
        while pos < len(buf):
            try:
                command, pos = self._one(buf, pos)
            except _IncompleteError:
                break
            if command is not None:
                out.append(command)
        del self._buffer[:pos]
        return out

    def _need(self, buf: bytes, end: int) -> None:
        if end > len(buf):
            raise _IncompleteError

    def _one(self, buf: bytes, pos: int) -> tuple[Command | None, int]:
        b = buf[pos]
        if b == LF:
            return LineFeed(), pos + 1
        if b == CR:
            return None, pos + 1
        if b == ESC:
            return self._esc(buf, pos)
        if b == GS:
            return self._gs(buf, pos)
        if b == DLE:
            self._need(buf, pos + 3)
            if buf[pos + 1] == 0x04:
                return StatusQuery(buf[pos + 2]), pos + 3
            if buf[pos + 1] == 0x14:  # DLE DC4 fn m t: real-time request
                self._need(buf, pos + 5)
                return Setting(buf[pos : pos + 5]), pos + 5
            return Unknown(b), pos + 1
        if b >= 0x20:
            end = pos
            while end < len(buf) and buf[end] >= 0x20:
                end += 1
            return Text(buf[pos:end]), end
        return Unknown(b), pos + 1

    def _esc(self, buf: bytes, pos: int) -> tuple[Command | None, int]:
        self._need(buf, pos + 2)
        cmd = buf[pos + 1]
        if cmd not in _ESC_ARGS:
            return Unknown(ESC), pos + 1
        end = pos + 2 + _ESC_ARGS[cmd]
        self._need(buf, end)
        arg = buf[pos + 2] if _ESC_ARGS[cmd] else 0
        if cmd == 0x40:
            return Init(), end
        if cmd == 0x61:
            return Align(arg % 48 if arg >= 48 else arg), end
        if cmd == 0x64:
            return LineFeed(lines=arg), end
        if cmd == 0x4A:
            return LineFeed(dots=arg), end
        return Setting(buf[pos:end]), end

    def _gs(self, buf: bytes, pos: int) -> tuple[Command | None, int]:
        self._need(buf, pos + 2)
        cmd = buf[pos + 1]
        if cmd == 0x76:  # GS v 0 m xL xH yL yH
            self._need(buf, pos + 8)
            if buf[pos + 2] != 0x30:
                return Unknown(GS), pos + 1
            mode = buf[pos + 3]
            width_bytes = buf[pos + 4] | buf[pos + 5] << 8
            height = buf[pos + 6] | buf[pos + 7] << 8
            end = pos + 8 + width_bytes * height
            self._need(buf, end)
            return Raster(mode, width_bytes, height, buf[pos + 8 : end]), end
        if cmd == 0x56:  # GS V m [n]
            self._need(buf, pos + 3)
            m = buf[pos + 2]
            end = pos + 4 if m in (65, 66) else pos + 3
            self._need(buf, end)
            return Cut(partial=m in (1, 49, 66)), end
        if cmd == 0x28 and pos + 2 < len(buf) and buf[pos + 2] == 0x6B:  # GS ( k: 2D codes
            self._need(buf, pos + 5)
            length = buf[pos + 3] | buf[pos + 4] << 8
            end = pos + 5 + length
            self._need(buf, end)
            body = buf[pos + 5 : end]
            fn = body[1] if len(body) >= 2 and body[0] == 49 else None
            if fn == 80:  # store QR data
                self._qr_data = body[3:]
            elif fn == 67 and len(body) >= 3:  # module size
                self._qr_module = body[2]
            elif fn == 69 and len(body) >= 3:  # error correction level
                self._qr_ec = {48: "L", 49: "M", 50: "Q", 51: "H"}.get(body[2], "L")
            elif fn == 81:  # print stored QR
                qr = NativeQr(self._qr_data, self._qr_module, self._qr_ec, buf[pos:end])
                return qr, end
            return Setting(buf[pos:end]), end
        if cmd == 0x6B:  # GS k m ...
            self._need(buf, pos + 3)
            system = buf[pos + 2]
            if system <= 6:
                nul = buf.find(b"\x00", pos + 3)
                if nul < 0:
                    raise _IncompleteError
                data, end = buf[pos + 3 : nul], nul + 1
            else:
                self._need(buf, pos + 4)
                end = pos + 4 + buf[pos + 3]
                self._need(buf, end)
                data = buf[pos + 4 : end]
            bar = NativeBarcode(system, data, self._bar_height, self._bar_module, buf[pos:end])
            return bar, end
        if cmd in _GS_ARGS:
            end = pos + 2 + _GS_ARGS[cmd]
            self._need(buf, end)
            if cmd == 0x68:
                self._bar_height = buf[pos + 2]
            elif cmd == 0x77:
                self._bar_module = buf[pos + 2]
            return Setting(buf[pos:end]), end
        return Unknown(GS), pos + 1
