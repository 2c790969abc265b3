"""Verdicts: valid, expired, revoked, forged — and tampering in any position."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from records_backend.documents.keyring import Signer
from records_backend.documents.keys import PublicKeyInfo, PublicKeySet
from records_backend.documents.model import DocumentKind
from records_backend.documents.payload import QR_PREFIX, DocumentClaims
from records_backend.documents.revocations import Revocation, RevocationList
from records_backend.documents.samples import sample
from records_backend.documents.verify import Verdict, valid_until, verify_qr, verify_short_code

ISSUED = date(2026, 11, 25)
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _setup(
    created: date = date(2026, 1, 1), retired: date | None = None
) -> tuple[str, str, PublicKeySet]:
    private = Ed25519PrivateKey.generate()
    signer = Signer(private)
    signed = signer.sign(DocumentClaims.from_content(sample(DocumentKind.EXTRACT), signer.kid))
    keys = PublicKeySet([PublicKeyInfo(signer.kid, private.public_key(), created, retired)])
    return signed.qr_text, signed.short_code, keys


def test_valid_document_shows_only_printed_fields() -> None:
    qr, code, keys = _setup()
    result = verify_qr(qr, keys, RevocationList(), ISSUED)
    assert result.verdict is Verdict.VALID
    assert result.shown is not None
    assert result.shown.serial == "MK03-2026-E004127"
    assert result.shown.family_ar == "بنجلون"
    assert result.shown.given_lat == "Fatima Zahra"
    assert result.shown.act_reference == "1287/1990 (MK03)"
    assert result.shown.valid_until == date(2027, 2, 25)
    assert result.shown.short_code == code
    assert not hasattr(result.shown, "father")


def test_every_one_character_change_is_forged() -> None:
    qr, _, keys = _setup()
    for i, ch in enumerate(qr):
        alphabet = _B32 if i >= len(QR_PREFIX) else "SJD12:"
        for replacement in {alphabet[(alphabet.index(ch) + 1) % len(alphabet)], "7", "A"} - {ch}:
            tampered = qr[:i] + replacement + qr[i + 1 :]
            result = verify_qr(tampered, keys, RevocationList(), ISSUED)
            assert result.verdict is Verdict.FORGED, (i, replacement)
            assert result.shown is None


def test_dropped_or_added_character_is_forged() -> None:
    qr, _, keys = _setup()
    for tampered in (qr[:-1], qr + "A", qr[:40] + qr[41:], qr.replace(QR_PREFIX, "SJD2:")):
        assert verify_qr(tampered, keys, RevocationList(), ISSUED).verdict is Verdict.FORGED


def test_unknown_key_is_forged() -> None:
    qr, _, _ = _setup()
    _, _, other_keys = _setup()
    result = verify_qr(qr, other_keys, RevocationList(), ISSUED)
    assert result.verdict is Verdict.FORGED
    assert "unknown key" in result.reason


def test_expired_after_three_months() -> None:
    qr, _, keys = _setup()
    assert verify_qr(qr, keys, RevocationList(), date(2027, 2, 25)).verdict is Verdict.VALID
    result = verify_qr(qr, keys, RevocationList(), date(2027, 2, 26))
    assert result.verdict is Verdict.EXPIRED
    assert result.shown is not None


def test_revoked_wins_over_expired() -> None:
    qr, _, keys = _setup()
    revoked = RevocationList([Revocation("MK03-2026-E004127", date(2026, 12, 1), "lost")])
    assert verify_qr(qr, keys, revoked, ISSUED).verdict is Verdict.REVOKED
    assert verify_qr(qr, keys, revoked, date(2028, 1, 1)).verdict is Verdict.REVOKED
    other = RevocationList([Revocation("MK03-2026-E000001", date(2026, 12, 1), "lost")])
    assert verify_qr(qr, keys, other, ISSUED).verdict is Verdict.VALID


def test_retired_key_verifies_what_it_signed_in_service() -> None:
    qr, _, keys = _setup(created=date(2026, 1, 1), retired=date(2026, 11, 30))
    assert verify_qr(qr, keys, RevocationList(), ISSUED).verdict is Verdict.VALID


def test_key_cannot_vouch_outside_its_service() -> None:
    qr, _, keys = _setup(created=date(2026, 1, 1), retired=date(2026, 11, 1))
    result = verify_qr(qr, keys, RevocationList(), ISSUED)
    assert result.verdict is Verdict.FORGED
    qr, _, keys = _setup(created=date(2026, 12, 1))
    assert verify_qr(qr, keys, RevocationList(), ISSUED).verdict is Verdict.FORGED


def test_issue_date_far_in_the_future_is_forged() -> None:
    qr, _, keys = _setup()
    assert verify_qr(qr, keys, RevocationList(), date(2026, 11, 24)).verdict is Verdict.VALID
    assert verify_qr(qr, keys, RevocationList(), date(2026, 11, 20)).verdict is Verdict.FORGED


@pytest.mark.parametrize(
    ("issued", "until"),
    [
        (date(2026, 11, 25), date(2027, 2, 25)),
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 11, 30), date(2028, 2, 29)),
        (date(2026, 1, 31), date(2026, 4, 30)),
    ],
)
def test_validity_is_three_calendar_months(issued: date, until: date) -> None:
    assert valid_until(issued) == until


def test_short_code_path() -> None:
    qr, code, keys = _setup()
    store = {code: qr}
    typed = code.lower().replace("-", "")
    result = verify_short_code(typed, store.get, keys, RevocationList(), ISSUED)
    assert result.verdict is Verdict.VALID
    assert verify_short_code("00000-00000", store.get, keys, RevocationList(), ISSUED).verdict is (
        Verdict.FORGED
    )
    # A store whose entry was swapped for another document cannot vouch for this code.
    other_qr, _, _ = _setup()
    swapped = {code: other_qr}
    assert verify_short_code(code, swapped.get, keys, RevocationList(), ISSUED).verdict is (
        Verdict.FORGED
    )


def test_public_key_set_round_trips_and_checks_ids() -> None:
    _, _, keys = _setup(retired=date(2026, 12, 31))
    again = PublicKeySet.from_json(keys.to_json())
    assert [k.kid for k in again] == [k.kid for k in keys]
    assert next(iter(again)).retired == date(2026, 12, 31)
    bad = keys.to_json().replace(next(iter(keys)).kid, "00000000")
    with pytest.raises(ValueError, match="does not match"):
        PublicKeySet.from_json(bad)
