"""Reading the audit log with filters, for auditors (the chain check is the backend's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import AuditEntry
from records_backend.domain.roles import Permission
from records_backend.services.principal import Principal

PAGE = 100


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    office: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_seq: int | None = None


def entries(session: Session, by: Principal, f: AuditFilter) -> list[AuditEntry]:
    """Newest first, one page; the reading itself is recorded."""
    by.require(Permission.AUDIT_READ)
    stmt = select(AuditEntry)
    if f.actor:
        stmt = stmt.where(AuditEntry.actor.contains(f.actor, autoescape=True))
    if f.action:
        stmt = stmt.where(AuditEntry.action.startswith(f.action, autoescape=True))
    if f.office:
        stmt = stmt.where(AuditEntry.office == f.office.upper())
    if f.since:
        stmt = stmt.where(AuditEntry.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditEntry.at < f.until)
    if f.before_seq:
        stmt = stmt.where(AuditEntry.seq < f.before_seq)
    rows = list(session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(PAGE)))
    append(
        session,
        by.actor,
        "audit.read",
        "audit",
        "log",
        detail={"actor": f.actor, "action": f.action, "office": f.office},
    )
    return rows
