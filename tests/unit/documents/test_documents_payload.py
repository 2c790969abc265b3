"""The QR payload: round trip, canonical form, short codes."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from records_backend.documents.keyring import Signer
from records_backend.documents.model import DocumentKind
from records_backend.documents.payload import (
    QR_PREFIX,
    DocumentClaims,
    PayloadError,
    decode_qr,
    normalize_short_code,
)
from records_backend.documents.samples import sample


def _signed(kind: DocumentKind = DocumentKind.EXTRACT) -> tuple[Signer, str, str]:
    signer = Signer(Ed25519PrivateKey.generate())
    signed = signer.sign(DocumentClaims.from_content(sample(kind), signer.kid))
    return signer, signed.qr_text, signed.short_code


def test_round_trip_keeps_only_the_printed_fields() -> None:
    signer, qr, _ = _signed(DocumentKind.FULL_COPY)
    body, signature = decode_qr(qr)
    claims = DocumentClaims.parse_body(body)
    content = sample(DocumentKind.FULL_COPY)
    assert claims == DocumentClaims.from_content(content, signer.kid)
    assert len(signature) == 64
    # Nothing beyond the printed identity: no parents, no notes.
    text = body.decode()
    assert "خديجة" not in text
    assert "Mariée" not in text


def test_qr_text_is_qr_alphanumeric() -> None:
    _, qr, _ = _signed()
    assert qr.startswith(QR_PREFIX)
    assert set(qr[len(QR_PREFIX) :]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert len(qr) < 400


def test_non_canonical_encodings_are_refused() -> None:
    _, qr, _ = _signed()
    with pytest.raises(PayloadError):
        decode_qr(qr.lower())
    with pytest.raises(PayloadError):
        decode_qr(qr + "A")
    with pytest.raises(PayloadError):
        decode_qr("SJ1|ABCD|EFGH")


def test_body_with_leading_zero_is_refused() -> None:
    _, qr, _ = _signed()
    body, _ = decode_qr(qr)
    fields = body.decode().split("|")
    fields[7] = "0" + fields[7]
    with pytest.raises(PayloadError):
        DocumentClaims.parse_body("|".join(fields).encode())


def test_short_code_shape_and_normalization() -> None:
    _, _, code = _signed()
    assert len(code) == 11
    assert code[5] == "-"
    assert normalize_short_code(code.lower().replace("-", " ")) == code
    assert normalize_short_code("oi1l0-abcde") == "01110-ABCDE"
    with pytest.raises(PayloadError):
        normalize_short_code("ABCD")
    with pytest.raises(PayloadError):
        normalize_short_code("ABCDE-FGHIU")


def test_different_documents_get_different_codes() -> None:
    codes = {_signed()[2] for _ in range(20)}
    assert len(codes) == 20
