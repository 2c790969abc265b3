"""Offices with their kiosks and the counters that handed documents over."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records_backend.db.models import Office, Terminal, UserOffice
from records_backend.web.models import Collection


@dataclass(frozen=True, slots=True)
class OfficeRow:
    office: Office
    kiosks: int
    staff: int
    counters: list[str]


def office_overview(session: Session) -> list[OfficeRow]:
    kiosks: dict[int, int] = {
        int(office): int(n)
        for office, n in session.execute(
            select(Terminal.office_id, func.count())
            .where(Terminal.active)
            .group_by(Terminal.office_id)
        )
    }
    staff: dict[int, int] = {
        int(office): int(n)
        for office, n in session.execute(
            select(UserOffice.office_id, func.count()).group_by(UserOffice.office_id)
        )
    }
    counters: dict[int, list[str]] = {}
    for office_id, counter in session.execute(
        select(Collection.office_id, Collection.counter).distinct()
    ):
        counters.setdefault(office_id, []).append(counter)
    return [
        OfficeRow(
            o, int(kiosks.get(o.id, 0)), int(staff.get(o.id, 0)), sorted(counters.get(o.id, []))
        )
        for o in session.scalars(select(Office).order_by(Office.code))
    ]
