"""Offices: reference data and look-ups."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.db.models import Office, Register
from records_backend.domain.errors import DomainError
from records_backend.domain.offices import MEKNES_OFFICES


def ensure_offices(session: Session) -> int:
    """Insert the Meknes offices that are missing; returns how many were added."""
    present = set(session.scalars(select(Office.code)))
    added = 0
    for info in MEKNES_OFFICES:
        if info.code not in present:
            session.add(
                Office(
                    code=info.code, name_ar=info.name_ar, name_fr=info.name_fr, central=info.central
                )
            )
            added += 1
    session.flush()
    return added


# Office ids and codes never change once created: keep them per database, in memory.
_CODES: dict[str, dict[int, str]] = {}


def office_code(session: Session, office_id: int) -> str:
    key = str(session.get_bind().engine.url)
    codes = _CODES.get(key)
    if codes is None or office_id not in codes:
        codes = {oid: code for oid, code in session.execute(select(Office.id, Office.code))}
        _CODES[key] = codes
    return codes[office_id]


def office_id(session: Session, code: str) -> int | None:
    """The id of an office code, or None when there is no such office."""
    key = str(session.get_bind().engine.url)
    codes = _CODES.get(key) or {}
    for oid, known in codes.items():
        if known == code:
            return oid
    found = session.scalar(select(Office.id).where(Office.code == code))
    if found is not None:
        office_code(session, found)  # refreshes the cache
    return found


def office_by_code(session: Session, code: str) -> Office:
    office = session.scalar(select(Office).where(Office.code == code.upper()))
    if office is None:
        raise DomainError("office_unknown", code)
    return office


def register_for(session: Session, office_id: int, year: int, kind: str) -> Register:
    reg = session.scalar(
        select(Register).where(
            Register.office_id == office_id, Register.year == year, Register.kind == kind
        )
    )
    if reg is None:
        reg = Register(office_id=office_id, year=year, kind=kind, last_number=0)
        session.add(reg)
        session.flush()
    return reg
