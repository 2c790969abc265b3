"""Appending to and reading back the audit log in the database."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from records_backend.audit.chain import (
    GENESIS,
    EntryData,
    Verdict,
    canonical_parts,
    entry_hash,
    verify_chain,
)
from records_backend.db.models import AuditEntry
from records_backend.db.types import utcnow

_AUDIT = cast(Table, AuditEntry.__table__)


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
    data = EntryData(
        seq=0,
        at=utcnow(),
        actor=actor.label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        office=office,
        ip=actor.ip,
        detail=detail or {},
        prev_hash="",
    )
    if session.get_bind().dialect.name == "postgresql":
        return _append_pg(session, data)
    # SQLite: the transaction holds the database's write lock since it began.
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    data = dataclasses.replace(data, seq=seq, prev_hash=prev)
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


# Lock, read the tail, hash and insert in the database (migration 0007): one round trip,
# and the chain's lock is held from there to the commit only.
_PG_APPEND = "SELECT audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


def _append_pg(session: Session, data: EntryData) -> EntryData:
    head, tail = canonical_parts(data)
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    try:
        cur.execute(
            _PG_APPEND,
            (
                data.at,
                data.actor,
                data.action,
                data.target_type,
                data.target_id,
                data.office,
                data.ip,
                json.dumps(data.detail, ensure_ascii=False),
                head,
                tail,
            ),
        )
        row = cur.fetchone()
    finally:
        cur.close()
    assert row is not None
    # The position is known; the hashes stay in the database (nobody needs them back).
    return dataclasses.replace(data, seq=int(row[0]))


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
