"""Notices between offices (a death registered elsewhere for a birth act kept here)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import OfficeNotice
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission
from records_backend.services.offices import office_by_code, office_code
from records_backend.services.principal import Principal


def pending(session: Session, by: Principal, office: str) -> list[OfficeNotice]:
    by.require(Permission.NOTES_RECORD)
    off = office_by_code(session, office)
    by.require_office(off.id)
    return list(
        session.scalars(
            select(OfficeNotice)
            .where(OfficeNotice.to_office_id == off.id, OfficeNotice.handled_at.is_(None))
            .order_by(OfficeNotice.id)
        )
    )


def mark_handled(session: Session, by: Principal, notice_id: int) -> OfficeNotice:
    by.require(Permission.NOTES_RECORD)
    notice = session.get(OfficeNotice, notice_id)
    if notice is None:
        raise DomainError("not_found", f"notice {notice_id}")
    by.require_office(notice.to_office_id)
    if notice.handled_at is None:
        notice.handled_at = utcnow()
        append(
            session,
            by.actor,
            "notice.handled",
            "notice",
            notice.id,
            office=office_code(session, notice.to_office_id),
        )
    return notice
