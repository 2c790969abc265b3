"""Request codes: allocation from per-office counters and blocks reserved by terminals."""

from __future__ import annotations

import hashlib
import hmac
import threading

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from protocol.codes import ALPHABET, MAX_SEQUENCE, CodeBlock, RequestCode
from records_backend.audit.log import append
from records_backend.db.models import CodeBlock as CodeBlockRow
from records_backend.db.models import Office
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.services.principal import Principal

# One statement: create the counter or bump it; the row lock serializes allocations. Text
# (the same on PostgreSQL and SQLite): SQLAlchemy does not cache an ON CONFLICT construct and
# would compile it again for every code.
_TAKE = text(
    "INSERT INTO code_counters (office_code, year, next_sequence) VALUES (:office, :year, :after) "
    "ON CONFLICT (office_code, year) "
    "DO UPDATE SET next_sequence = code_counters.next_sequence + :count "
    "RETURNING next_sequence"
)


def take_sequences(session: Session, office: str, year: int, count: int) -> int:
    """Reserve ``count`` consecutive sequence numbers; returns the first."""
    after = session.scalar(
        _TAKE, {"office": office, "year": year, "after": 1 + count, "count": count}
    )
    assert after is not None
    first = int(after) - count
    if first + count - 1 > MAX_SEQUENCE:
        raise DomainError("codes_exhausted", f"{office} {year}")
    return int(first)


def next_code(session: Session, office: str, year: int) -> RequestCode:
    return RequestCode(office, year, take_sequences(session, office, year, 1))


class SequenceLeases:
    """Request codes handed out from small blocks that this process takes in transactions of
    their own.

    Taking a sequence inside the submission's transaction would hold the office counter's row
    lock until that transaction commits, serializing every submission to one office. A lease
    is committed before any of its codes is used, so no code is ever given twice; a lease
    that a stopped process had not used up only leaves a gap, and request codes promise
    uniqueness, not an unbroken series.
    """

    def __init__(self, sessions: sessionmaker[Session], size: int = 32) -> None:
        self._sessions = sessions
        self._size = size
        self._lock = threading.Lock()
        self._free: dict[tuple[str, int], tuple[int, int]] = {}

    def next_code(self, office: str, year: int) -> RequestCode:
        key = (office, year)
        with self._lock:
            first, last = self._free.get(key, (1, 0))
            if first > last:
                # Under the lock: two threads never lease for one office at once. It holds
                # for one short transaction per ``size`` submissions.
                with self._sessions.begin() as session:
                    first = take_sequences(session, office, year, self._size)
                last = first + self._size - 1
            self._free[key] = (first + 1, last)
        return RequestCode(office, year, first)


def reserve_block(session: Session, terminal: Principal, size: int, year: int) -> CodeBlock:
    """A block of codes a kiosk may print while the backend is unreachable."""
    assert terminal.kind == "terminal"
    assert terminal.id is not None
    assert terminal.office_ids
    office_id = next(iter(terminal.office_ids))
    office = session.scalar(select(Office.code).where(Office.id == office_id))
    assert office is not None
    first = take_sequences(session, office, year, size)
    block = CodeBlock(office, year, first, first + size - 1, terminal.name)
    session.add(
        CodeBlockRow(
            terminal_id=terminal.id,
            office_code=office,
            year=year,
            first=first,
            last=block.last,
            reserved_at=utcnow(),
        )
    )
    append(
        session,
        terminal.actor,
        "codes.reserve",
        "terminal",
        terminal.name,
        office=office,
        detail={"year": year, "first": first, "last": block.last},
    )
    return block


def reserved_by(session: Session, terminal_id: int, code: RequestCode) -> bool:
    return (
        session.scalar(
            select(CodeBlockRow.id).where(
                CodeBlockRow.terminal_id == terminal_id,
                CodeBlockRow.office_code == code.office,
                CodeBlockRow.year == code.year,
                CodeBlockRow.first <= code.sequence,
                CodeBlockRow.last >= code.sequence,
            )
        )
        is not None
    )


def derived_secret(key: bytes, code: RequestCode, length: int = 8) -> str:
    """The receipt secret of a server-issued code: recomputable, so a replayed submission
    gets the same receipt, while only its digest is stored."""
    digest = hmac.new(key, str(code).encode(), hashlib.sha256).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:length])


def secret_digest(code: RequestCode, secret: str) -> str:
    return hashlib.sha256(f"{code}|{secret}".encode()).hexdigest()
