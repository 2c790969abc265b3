"""The signed payload a document's QR code carries, and the short code printed beside it.

QR text: ``SJD1:`` followed by the RFC 4648 base32 (upper case, no padding) of
``body || signature``. Base32 keeps the QR in its dense alphanumeric mode and survives any
scanner's character set; the body is UTF-8 text, ``|``-separated:

``1|kid|serial|kind|issued YYYYMMDD|office|year|number|``
``family ar|given ar|family lat|given lat|born YYYYMMDD``

It holds only what the document itself shows, so reading a QR reveals nothing more than
reading the paper. The signature is Ed25519 over a domain tag plus the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import date

from records_backend.documents.model import DocumentContent, DocumentKind

QR_PREFIX = "SJD1:"
VERSION = "1"
SIGNATURE_BYTES = 64
#: Signatures made for documents can never be replayed as another kind of Sijill signature.
DOMAIN_TAG = b"sijill-document-v1\x00"

_KIND_CODES = {
    DocumentKind.FULL_COPY: "F",
    DocumentKind.EXTRACT: "E",
    DocumentKind.INDIVIDUAL_SHEET: "S",
}
_KINDS_BY_CODE = {code: kind for kind, code in _KIND_CODES.items()}
_FIELDS = 13

# Crockford's base32: no I, L, O, U, so a code read aloud or typed is hard to get wrong.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_CHARS = 10
_CODE_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class PayloadError(ValueError):
    """Text that is not a well-formed document payload (the reason says why)."""


@dataclass(frozen=True, slots=True)
class DocumentClaims:
    """The fields a document's signature covers: a subset of what the paper shows."""

    kid: str
    serial: str
    kind: DocumentKind
    issue_date: date
    office_code: str
    act_year: int
    act_number: int
    family_ar: str
    given_ar: str
    family_lat: str
    given_lat: str
    birth_date: date

    @classmethod
    def from_content(cls, content: DocumentContent, kid: str) -> DocumentClaims:
        return cls(
            kid=kid,
            serial=content.serial,
            kind=content.kind,
            issue_date=content.issue_date,
            office_code=content.act.office_code,
            act_year=content.act.year,
            act_number=content.act.number,
            family_ar=content.person.family_ar,
            given_ar=content.person.given_ar,
            family_lat=content.person.family_lat,
            given_lat=content.person.given_lat,
            birth_date=content.birth_date,
        )

    def body(self) -> bytes:
        fields = (
            VERSION,
            self.kid,
            self.serial,
            _KIND_CODES[self.kind],
            self.issue_date.strftime("%Y%m%d"),
            self.office_code,
            str(self.act_year),
            str(self.act_number),
            self.family_ar,
            self.given_ar,
            self.family_lat,
            self.given_lat,
            self.birth_date.strftime("%Y%m%d"),
        )
        if any("|" in f for f in fields):
            raise PayloadError("a field contains the separator")
        return "|".join(fields).encode()

    @classmethod
    def parse_body(cls, body: bytes) -> DocumentClaims:
        try:
            fields = body.decode("utf-8").split("|")
        except UnicodeDecodeError:
            raise PayloadError("payload is not UTF-8") from None
        if len(fields) != _FIELDS:
            raise PayloadError("wrong number of fields")
        version, kid, serial, kind, issued, office, year, number, *names, born = fields
        if version != VERSION:
            raise PayloadError(f"unsupported payload version {version!r}")
        if kind not in _KINDS_BY_CODE:
            raise PayloadError("unknown document kind")
        claims = cls(
            kid=kid,
            serial=serial,
            kind=_KINDS_BY_CODE[kind],
            issue_date=_parse_day(issued),
            office_code=office,
            act_year=_parse_int(year),
            act_number=_parse_int(number),
            family_ar=names[0],
            given_ar=names[1],
            family_lat=names[2],
            given_lat=names[3],
            birth_date=_parse_day(born),
        )
        # Only one spelling of a body is accepted: re-encoding must give the same bytes.
        if claims.body() != body:
            raise PayloadError("payload is not in canonical form")
        return claims


def _parse_day(text: str) -> date:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise PayloadError("bad date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise PayloadError("bad date") from None


def _parse_int(text: str) -> int:
    if not text.isascii() or not text.isdigit() or (len(text) > 1 and text.startswith("0")):
        raise PayloadError("bad number")
    return int(text)


def signed_message(body: bytes) -> bytes:
    return DOMAIN_TAG + body


def encode_qr(body: bytes, signature: bytes) -> str:
    if len(signature) != SIGNATURE_BYTES:
        raise PayloadError("an Ed25519 signature is 64 bytes")
    return QR_PREFIX + base64.b32encode(body + signature).decode("ascii").rstrip("=")


def decode_qr(text: str) -> tuple[bytes, bytes]:
    """Split QR text into (body, signature); refuse any non-canonical spelling."""
    text = text.strip()
    if not text.startswith(QR_PREFIX):
        raise PayloadError("not a Sijill document code")
    blob = text[len(QR_PREFIX) :]
    padded = blob + "=" * (-len(blob) % 8)
    try:
        raw = base64.b32decode(padded, casefold=False)
    except (binascii.Error, ValueError):
        raise PayloadError("damaged document code") from None
    # base32 ignores trailing bits of the last character: re-encode so that no two texts
    # decode to the same bytes (a changed character must never still verify).
    if base64.b32encode(raw).decode("ascii").rstrip("=") != blob:
        raise PayloadError("damaged document code")
    if len(raw) <= SIGNATURE_BYTES:
        raise PayloadError("document code too short")
    return raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]


def short_code(signature: bytes) -> str:
    """Ten characters (50 bits) derived from the signature, printed as ``XXXXX-XXXXX``."""
    value = int.from_bytes(hashlib.sha256(signature).digest()[:8], "big") >> 14
    chars = []
    for _ in range(SHORT_CODE_CHARS):
        value, index = divmod(value, 32)
        chars.append(_CODE_ALPHABET[index])
    code = "".join(reversed(chars))
    return f"{code[:5]}-{code[5:]}"


def normalize_short_code(text: str) -> str:
    """What a person typed, in printed form; raises PayloadError when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_.").translate(_CODE_CONFUSIONS)
    if len(cleaned) != SHORT_CODE_CHARS or any(ch not in _CODE_ALPHABET for ch in cleaned):
        raise PayloadError("a verification code has ten letters and digits")
    return f"{cleaned[:5]}-{cleaned[5:]}"
