"""What a counter scan or a typed entry says: a receipt QR, a bare request code, or junk.

Pure: the page's script already turned key positions into characters (see scanner.js).
"""

from __future__ import annotations

from dataclasses import dataclass

from protocol.codes import CodeError, RequestCode, normalize_secret
from protocol.qr import QrError, ReceiptQr


@dataclass(frozen=True, slots=True)
class Scan:
    code: str | None = None
    secret: str | None = None
    #: A message key of the pages when the input is not usable.
    error: str | None = None


def read_scan(text: str, typed_secret: str = "") -> Scan:
    text = text.strip()
    if not text:
        return Scan(error="scan.not_receipt")
    if "|" in text:
        try:
            qr = ReceiptQr.parse(text)
        except QrError as exc:
            return Scan(error=_code_error(str(exc)))
        return Scan(str(qr.code), qr.secret)
    try:
        code = RequestCode.parse(text)
    except CodeError as exc:
        return Scan(error=_code_error(str(exc)))
    secret = normalize_secret(typed_secret) if typed_secret.strip() else None
    return Scan(str(code), secret)


def _code_error(reason: str) -> str:
    # A check-digit failure means a typo or a bad read; anything else is not our receipt.
    if "check character" in reason or "letter that codes never use" in reason:
        return "scan.mistyped"
    return "scan.not_receipt"
