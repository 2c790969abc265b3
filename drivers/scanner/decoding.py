"""From the bytes a scanner sends to accepted codes: framing, checks, debounce (no I/O)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.scanner.interface import Rejection, Scan, ScanKind
from protocol.codes import CodeError, RequestCode
from protocol.qr import QrError, ReceiptQr

MAX_FRAME = 512


class FrameSplitter:
    """Cuts the byte stream at CR, LF or CR LF; a frame that never ends is noise."""

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes]:
        frames: list[bytes] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._buffer and not self._overflow:
                    frames.append(bytes(self._buffer))
                elif self._overflow:
                    frames.append(b"\x00")  # reported as noise downstream
                self._buffer.clear()
                self._overflow = False
            elif len(self._buffer) >= self.max_frame:
                self._overflow = True
            else:
                self._buffer.append(byte)
        return frames


def ean_valid(digits: str) -> bool:
    """GS1 mod-10 check digit (EAN-8, UPC-A, EAN-13)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


@dataclass
class CodeRules:
    """What a scanned frame must look like; prefix and suffix are the scanner's settings."""

    prefix: str = ""
    suffix: str = ""
    accept_other: bool = False
    min_length: int = 4

    def classify(self, frame: bytes) -> Scan | Rejection:
        try:
            text = frame.decode("ascii")
        except UnicodeDecodeError:
            return Rejection("noise")
        if not text.isprintable():
            return Rejection("noise")
        if self.prefix:
            if not text.startswith(self.prefix):
                return Rejection("missing prefix")
            text = text[len(self.prefix) :]
        if self.suffix:
            if not text.endswith(self.suffix):
                return Rejection("missing suffix")
            text = text[: -len(self.suffix)]
        text = text.strip()
        if len(text) < self.min_length:
            return Rejection("noise")
        return self._recognize(text)

    def _recognize(self, text: str) -> Scan | Rejection:
        if text.startswith("SJ") and "|" in text:
            try:
                return Scan(ReceiptQr.parse(text).encode(), ScanKind.RECEIPT_QR)
            except QrError:
                return Rejection("check digit")
        if text.count("-") == 3:
            try:
                return Scan(str(RequestCode.parse(text)), ScanKind.REQUEST_CODE)
            except CodeError:
                return Rejection("check digit")
        if text.isdigit() and len(text) in (8, 12, 13):
            return Scan(text, ScanKind.EAN) if ean_valid(text) else Rejection("check digit")
        if self.accept_other:
            return Scan(text, ScanKind.OTHER)
        return Rejection("unknown format")


class Debouncer:
    """Drops a repeat of the same code within ``window_s``: scanners re-fire while aimed."""

    def __init__(self, window_s: float = 1.5, clock: Callable[[], float] = time.monotonic):
        self.window_s = window_s
        self.clock = clock
        self._last: tuple[str, float] | None = None

    def accept(self, scan: Scan) -> bool:
        now = self.clock()
        last = self._last
        if last is not None and last[0] == scan.text and now - last[1] < self.window_s:
            self._last = (scan.text, now)  # a held trigger keeps extending the window
            return False
        self._last = (scan.text, now)
        return True
