"""The kiosk's vocabulary: what a citizen asks for and what the backend answers.

Plain frozen dataclasses, no I/O. Values of the enums are the records backend's, so a
submission maps onto its API without translation tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import protocol.documents as protocol_documents
from protocol.codes import RequestCode
from protocol.documents import DocumentKind as DocumentKind
from protocol.documents import Relation as Relation
from protocol.documents import RequestState as RequestState

#: Stamp duty per copy, in dirhams (each document carries a 2-dirham stamp).
STAMP_DUTY_DIRHAMS = Decimal(protocol_documents.STAMP_DUTY_DIRHAMS)
MAX_COPIES = 10


class Lang(StrEnum):
    AR = "ar"
    FR = "fr"
    EN = "en"
    ZGH = "zgh"  # Tamazight in Tifinagh: catalogue ready, left-to-right script

    @property
    def rtl(self) -> bool:
        return self is Lang.AR


#: Who may receive a full copy (the whole act with its marginal notes).
FULL_COPY_RELATIONS = frozenset(
    {Relation.SELF, Relation.PARENT, Relation.CHILD, Relation.SPOUSE, Relation.LEGAL_REPRESENTATIVE}
)


class ActKind(StrEnum):
    BIRTH = "birth"
    DEATH = "death"


class IdentifyMethod(StrEnum):
    CARD = "card"
    REFERENCE = "reference"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class ActReference:
    """Office, year, act number: how an act is identified in the registers."""

    office: str
    year: int
    number: int
    kind: ActKind = ActKind.BIRTH

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2100:
            raise ValueError("year out of range")
        if not 1 <= self.number <= 999_999:
            raise ValueError("act number out of range")
        if not self.office or len(self.office) > 6:
            raise ValueError("invalid office code")

    @property
    def text(self) -> str:
        """The registry's form, ``MK07-1990-N-000412`` (N births, D deaths)."""
        letter = "N" if self.kind is ActKind.BIRTH else "D"
        return f"{self.office}-{self.year:04d}-{letter}-{self.number:06d}"


@dataclass(frozen=True, slots=True)
class CardKeys:
    """What the citizen types so the chip opens (BAC): used once, then dropped."""

    document_number: str
    birth_date: date
    expiry_date: date


@dataclass(frozen=True, slots=True)
class CardIdentity:
    """What the chip says about its holder; only names and birth date are used."""

    given_name: str
    family_name: str
    birth_date: date
    document_number: str


@dataclass(frozen=True, slots=True)
class Parents:
    father: str
    mother: str


@dataclass(frozen=True, slots=True)
class NameQuery:
    """Find a birth act by the holder's names and birth date, and parents when needed."""

    given_name: str
    family_name: str
    birth_date: date
    parents: Parents | None = None
    document_number: str | None = None  # when the names came from a card


ActQuery = ActReference | NameQuery


@dataclass(frozen=True, slots=True)
class ActMatch:
    """An act the backend found: its reference, and nothing about the holder."""

    reference: str  # the registry's form, e.g. "MK07-1990-N-000412"
    kind: ActKind = ActKind.BIRTH

    @property
    def label(self) -> str:
        return self.reference


def fee_for(copies: int) -> Decimal:
    return STAMP_DUTY_DIRHAMS * copies


@dataclass(frozen=True, slots=True)
class Submission:
    """Exactly what the registry needs for a request, kept only until it acknowledges it.

    ``event_date`` (the birth or death date on the act) proves the requester knows the act;
    the requester's name is what the counter checks against an identity card. Never the
    chip's data, the keys typed to open it, or the parents' names used to search.
    """

    idempotency_key: str
    terminal_id: str
    office: str  # where the document is collected: this terminal's office
    act_reference: str
    event_date: date
    requester_name: str
    document: DocumentKind
    copies: int
    relation: Relation
    language: Lang
    created_at: datetime
    code: RequestCode | None = None  # from the terminal's reserved block when it has one
    secret: str | None = None  # the receipt's second factor, made on the terminal


@dataclass(frozen=True, slots=True)
class Accepted:
    """A request the kiosk can give a receipt for."""

    code: RequestCode
    secret: str
    pending: bool  # accepted offline: the backend does not have it yet


@dataclass(frozen=True, slots=True)
class RequestStatus:
    code: RequestCode
    state: RequestState
    document: DocumentKind | None = None
    copies: int | None = None
    counter: str | None = None  # where to collect it, when it is ready
    office: str | None = None  # the office where it is collected

    @property
    def ready(self) -> bool:
        return self.state is RequestState.READY


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """What the receipt says; the device adapter turns it into the printer's layout."""

    code: RequestCode
    qr_payload: str
    document: DocumentKind
    copies: int
    fee: Decimal
    pickup_date: date
    issued_at: datetime
    pending: bool = False
    counter: str | None = None
    ticket: bool = False  # a collection ticket rather than a request receipt


@dataclass(frozen=True, slots=True)
class OfficeInfo:
    code: str
    name_ar: str
    name_fr: str
    counter_ar: str
    counter_fr: str
