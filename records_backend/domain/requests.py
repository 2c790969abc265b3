"""Document requests: kinds, states and the transitions allowed between them."""

from __future__ import annotations

from enum import StrEnum

from protocol.documents import MAX_COPIES as MAX_COPIES
from protocol.documents import STAMP_DUTY_DIRHAMS as STAMP_DUTY_DIRHAMS
from protocol.documents import DocumentKind as DocumentKind
from protocol.documents import Relation as Relation
from protocol.documents import RequestState as RequestState
from records_backend.domain.errors import DomainError


class Channel(StrEnum):
    KIOSK = "kiosk"
    PORTAL = "portal"
    COUNTER = "counter"


S = RequestState
TRANSITIONS: dict[RequestState, frozenset[RequestState]] = {
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED, S.EXPIRED}),
    S.APPROVED: frozenset({S.PRINTED, S.EXPIRED}),
    S.PRINTED: frozenset({S.READY}),
    S.READY: frozenset({S.COLLECTED, S.EXPIRED}),
    S.REJECTED: frozenset(),
    S.COLLECTED: frozenset(),
    S.EXPIRED: frozenset(),
}


def check_transition(current: RequestState, target: RequestState) -> None:
    if target not in TRANSITIONS[current]:
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise DomainError(
            "illegal_transition",
            f"{current.value} → {target.value} is not allowed",
            current=current.value,
            target=target.value,
            allowed=allowed,
        )


def fee_due(copies: int) -> int:
    return STAMP_DUTY_DIRHAMS * copies
