"""Appending to and reading back the audit log in the database."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from records_backend.audit.chain import GENESIS, EntryData, Verdict, entry_hash, verify_chain
from records_backend.db.models import AuditEntry
from records_backend.db.types import utcnow

_AUDIT = cast(Table, AuditEntry.__table__)

# Any constant: the PostgreSQL advisory lock that serializes appends to the chain.
_CHAIN_LOCK = 0x5133_0001


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: ``user:<username>``, ``terminal:<id>``, ``system``; and from where."""

    label: str
    ip: str | None = None


def append(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str | int,
    *,
    office: str | None = None,
    detail: dict[str, Any] | None = None,
) -> EntryData:
    """Add an entry in the caller's transaction; it commits (or not) with the change."""
    last = _tail(session)
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    data = EntryData(
        seq=seq,
        at=utcnow(),
        actor=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        office=office,
        ip=actor.ip,
        detail=detail or {},
        prev_hash=prev,
    )
    digest = entry_hash(data)
    # A Core insert: no unit-of-work bookkeeping for a row that is never changed.
    session.execute(
        insert(_AUDIT).values(
            seq=data.seq,
            at=data.at,
            actor=data.actor,
            action=data.action,
            target_type=data.target_type,
            target_id=data.target_id,
            office=data.office,
            ip=data.ip,
            detail=data.detail,
            prev_hash=data.prev_hash,
            hash=digest,
        )
    )
    return dataclasses.replace(data, hash=digest)


_PG_TAIL = (
    f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK}); "  # noqa: S608  (a constant, no input)
    "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"
)


def _tail(session: Session) -> tuple[int, str] | None:
    """The last entry's position and hash, read under the chain's lock."""
    if session.get_bind().dialect.name == "postgresql":
        # One round trip: lock, then read. Each statement gets its own snapshot (READ
        # COMMITTED), so the read sees every entry committed before the lock was granted.
        dbapi = session.connection().connection.dbapi_connection
        assert dbapi is not None
        cur = dbapi.cursor()
        try:
            cur.execute(_PG_TAIL)
            cur.nextset()
            row = cur.fetchone()
        finally:
            cur.close()
        return (int(row[0]), str(row[1])) if row else None
    # SQLite: the transaction holds the database's write lock since it began.
    found = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (found[0], found[1]) if found else None


def _as_data(row: AuditEntry) -> EntryData:
    return EntryData(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        office=row.office,
        ip=row.ip,
        detail=row.detail,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def iter_entries(session: Session, batch: int = 5000) -> Iterator[EntryData]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield _as_data(row)
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> Verdict:
    return verify_chain(iter_entries(session))
