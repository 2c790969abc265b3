"""What a citizen can ask for and how a request stands, shared by the kiosk, the portal and
the registry."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class DocumentKind(StrEnum):
    FULL_COPY = "full_copy"  # copie intégrale / نسخة كاملة: the act with its marginal notes
    EXTRACT = "extract"  # extrait / نسخة موجزة
    INDIVIDUAL_SHEET = "individual_sheet"  # fiche individuelle


class Relation(StrEnum):
    """The requester's relation to the act's holder (a full copy depends on it)."""

    SELF = "self"
    PARENT = "parent"
    CHILD = "child"
    SPOUSE = "spouse"
    LEGAL_REPRESENTATIVE = "legal_representative"
    OTHER = "other"


class RequestState(StrEnum):
    """Where a document request stands; the registry alone moves it."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    PRINTED = "printed"
    READY = "ready"
    COLLECTED = "collected"
    EXPIRED = "expired"


#: Stamp duty per copy, in dirhams: every document carries a 2-dirham stamp.
STAMP_DUTY_DIRHAMS: Final = 2
MAX_COPIES: Final = 10
