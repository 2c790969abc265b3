"""Issuing a document: sign its claims with the current key, then print it."""

from __future__ import annotations

from dataclasses import dataclass

from records_backend.documents.keyring import Keyring, SignedDocument
from records_backend.documents.model import DocumentContent
from records_backend.documents.payload import DocumentClaims
from records_backend.documents.render import document_view, render_pdf


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    signed: SignedDocument
    pdf: bytes

    @property
    def qr_text(self) -> str:
        return self.signed.qr_text

    @property
    def short_code(self) -> str:
        return self.signed.short_code


def sign_document(content: DocumentContent, keyring: Keyring) -> SignedDocument:
    signer = keyring.signer()
    return signer.sign(DocumentClaims.from_content(content, signer.kid))


def issue_document(
    content: DocumentContent, keyring: Keyring, verify_url: str | None = None
) -> IssuedDocument:
    """Sign and render. The caller keeps ``short_code → qr_text`` for the verification page."""
    signed = sign_document(content, keyring)
    return IssuedDocument(signed, render_pdf(document_view(content, signed, verify_url)))
