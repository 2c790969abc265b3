"""Verdicts on a scanned document: valid, expired, revoked or forged.

Works offline with the commune's public keys and a revocation list. A forged verdict shows
nothing; the others show only the fields printed on the document itself.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from cryptography.exceptions import InvalidSignature

from records_backend.documents.keys import PublicKeySet
from records_backend.documents.model import DocumentKind
from records_backend.documents.payload import (
    DocumentClaims,
    PayloadError,
    decode_qr,
    normalize_short_code,
    short_code,
    signed_message,
)
from records_backend.documents.revocations import RevocationList

VALIDITY_MONTHS = 3
#: A verifier's clock (or time zone) may be a day behind the office's.
CLOCK_TOLERANCE = timedelta(days=1)


class Verdict(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    FORGED = "forged"


@dataclass(frozen=True, slots=True)
class ShownFields:
    """What a verifier may be told: the document prints all of it."""

    kind: DocumentKind
    serial: str
    issue_date: date
    valid_until: date
    act_reference: str
    family_ar: str
    given_ar: str
    family_lat: str
    given_lat: str
    birth_date: date
    short_code: str


@dataclass(frozen=True, slots=True)
class VerificationResult:
    verdict: Verdict
    reason: str
    shown: ShownFields | None = None

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.VALID


def valid_until(issue_date: date) -> date:
    """Three calendar months after issue (the 31st falls back to the month's last day)."""
    month_index = issue_date.month - 1 + VALIDITY_MONTHS
    year, month = issue_date.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(issue_date.day, monthrange(year, month)[1]))


def verify_qr(
    text: str, keys: PublicKeySet, revoked: RevocationList, today: date
) -> VerificationResult:
    try:
        body, signature = decode_qr(text)
        claims = DocumentClaims.parse_body(body)
    except PayloadError as exc:
        return VerificationResult(Verdict.FORGED, str(exc))
    key = keys.get(claims.kid)
    if key is None:
        return VerificationResult(Verdict.FORGED, "signed by an unknown key")
    try:
        key.public.verify(signature, signed_message(body))
    except InvalidSignature:
        return VerificationResult(Verdict.FORGED, "signature does not match")
    if not key.covers(claims.issue_date):
        # A retired key verifies only what it signed while it was in service.
        return VerificationResult(Verdict.FORGED, "issue date outside the key's service")
    shown = ShownFields(
        kind=claims.kind,
        serial=claims.serial,
        issue_date=claims.issue_date,
        valid_until=valid_until(claims.issue_date),
        act_reference=f"{claims.act_number}/{claims.act_year} ({claims.office_code})",
        family_ar=claims.family_ar,
        given_ar=claims.given_ar,
        family_lat=claims.family_lat,
        given_lat=claims.given_lat,
        birth_date=claims.birth_date,
        short_code=short_code(signature),
    )
    if claims.issue_date > today + CLOCK_TOLERANCE:
        return VerificationResult(Verdict.FORGED, "issued in the future")
    revocation = revoked.get(claims.serial)
    if revocation is not None:
        return VerificationResult(
            Verdict.REVOKED, f"revoked on {revocation.revoked_on.isoformat()}", shown
        )
    if today > shown.valid_until:
        return VerificationResult(Verdict.EXPIRED, "older than three months", shown)
    return VerificationResult(Verdict.VALID, "signature verified", shown)


def verify_short_code(
    code: str,
    lookup: Callable[[str], str | None],
    keys: PublicKeySet,
    revoked: RevocationList,
    today: date,
) -> VerificationResult:
    """The verification page's path: a typed code, looked up among issued documents.

    ``lookup`` maps a normalized code (``XXXXX-XXXXX``) to the QR text issued with it; the
    stored text is verified like a scanned one, so a tampered store cannot vouch for a paper.
    """
    try:
        normalized = normalize_short_code(code)
    except PayloadError as exc:
        return VerificationResult(Verdict.FORGED, str(exc))
    qr_text = lookup(normalized)
    if qr_text is None:
        return VerificationResult(Verdict.FORGED, "no document carries this code")
    result = verify_qr(qr_text, keys, revoked, today)
    if result.shown is not None and result.shown.short_code != normalized:
        return VerificationResult(Verdict.FORGED, "code does not match the document")
    return result
