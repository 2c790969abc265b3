"""The QR printed on receipts and portal confirmations.

``SJ1|<request code>|<receipt secret>``: the code plus the second factor, nothing about the
person or the act, so a photographed receipt reveals nothing by itself. The prefix carries the
protocol version; anything else is rejected with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from protocol.codes import ALPHABET, CodeError, RequestCode, normalize_secret
from protocol.version import PROTOCOL_VERSION

PREFIX = f"SJ{PROTOCOL_VERSION}"
MAX_QR_CHARS = 64
_SECRET_RE = re.compile(f"^[{ALPHABET}]{{6,16}}$")


class QrError(ValueError):
    """A scanned QR that is not a Sijill receipt, with the reason."""


@dataclass(frozen=True, slots=True)
class ReceiptQr:
    code: RequestCode
    secret: str

    def __post_init__(self) -> None:
        if not _SECRET_RE.fullmatch(self.secret):
            raise QrError("invalid receipt secret")

    def encode(self) -> str:
        return f"{PREFIX}|{self.code}|{self.secret}"

    @classmethod
    def parse(cls, text: str) -> ReceiptQr:
        text = text.strip()
        if len(text) > MAX_QR_CHARS:
            raise QrError("too long to be a Sijill receipt")
        parts = text.split("|")
        if len(parts) != 3:
            raise QrError("not a Sijill receipt")
        prefix, code_text, secret = parts
        if not prefix.startswith("SJ"):
            raise QrError("not a Sijill receipt")
        if prefix != PREFIX:
            raise QrError(f"unsupported receipt version {prefix[2:]!r}")
        try:
            code = RequestCode.parse(code_text)
        except CodeError as exc:
            raise QrError(str(exc)) from None
        return cls(code, normalize_secret(secret))
