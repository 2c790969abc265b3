"""Finding acts by name (Arabic, Latin or Tifinagh, spelling variants folded), dates and parents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from records_backend.audit.log import append
from records_backend.db.models import Act
from records_backend.domain.acts import ActKind, ActStatus
from records_backend.domain.errors import DomainError
from records_backend.domain.names import is_arabic, is_tifinagh, name_key
from records_backend.domain.roles import Permission
from records_backend.services.offices import office_by_code
from records_backend.services.principal import Principal

MAX_PAGE_SIZE = 100
KIOSK_PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class NameQuery:
    family: str
    given: str | None = None
    birth_date: date | None = None
    year: int | None = None
    father: str | None = None
    mother: str | None = None
    kind: ActKind | None = None
    office: str | None = None


_TOP = "\U0010ffff"  # sorts after every character, byte by byte


def _prefix(column: InstrumentedAttribute[str], key: str) -> ColumnElement[bool]:
    """``column`` starts with ``key``, as an index range (keys compare byte by byte)."""
    return and_(column >= key, column < key + _TOP)


def _name_columns(
    family: str,
) -> tuple[InstrumentedAttribute[str], InstrumentedAttribute[str]]:
    """The (family, given) key columns of the script the family name is written in."""
    if is_arabic(family):
        return Act.family_key_ar, Act.given_key_ar
    if is_tifinagh(family):
        return Act.family_key_tfng, Act.given_key_tfng  # type: ignore[return-value]
    return Act.family_key_lat, Act.given_key_lat


def build_query(q: NameQuery) -> Select[tuple[Act]]:
    """The SELECT behind a name search: equality on the indexed family-name key first."""
    family_col, given_col = _name_columns(q.family)
    stmt = select(Act).where(
        Act.status == ActStatus.REGISTERED.value, family_col == name_key(q.family)
    )
    if q.given:
        stmt = stmt.where(_prefix(given_col, name_key(q.given)))
    if q.birth_date is not None:
        stmt = stmt.where(Act.event_date == q.birth_date)
    if q.year is not None:
        stmt = stmt.where(
            Act.event_date >= date(q.year, 1, 1), Act.event_date <= date(q.year, 12, 31)
        )
    for column, value in ((Act.father_key, q.father), (Act.mother_key, q.mother)):
        if value:
            stmt = stmt.where(column.contains(name_key(value), autoescape=True))
    if q.kind is not None:
        stmt = stmt.where(Act.kind == q.kind.value)
    return stmt


def order_of(q: NameQuery) -> tuple[InstrumentedAttribute[object], ...]:
    """Index order of the name index the query uses: no sort before the page is cut."""
    _family, given = _name_columns(q.family)
    return (given, Act.event_date, Act.id)


def search(
    session: Session, by: Principal, q: NameQuery, page: int, page_size: int
) -> tuple[list[Act], bool]:
    """One page of matches and whether more follow. Audited with the ids shown."""
    if Permission.ACTS_READ not in by.permissions:
        # A kiosk: the citizen must know the whole identity; any office; references only.
        by.require(Permission.ACTS_FIND)
        if not q.given or q.birth_date is None:
            raise DomainError("invalid_input", "given name and birth date are required")
        page_size = min(page_size, KIOSK_PAGE_SIZE)
        scope: frozenset[int] | None = None
    else:
        scope = by.office_ids
    if not q.family.strip():
        raise DomainError("invalid_input", "the family name is required")
    stmt = build_query(q)
    if q.office is not None:
        office = office_by_code(session, q.office)
        if scope is not None and office.id not in scope:
            by.require_office(office.id)
        stmt = stmt.where(Act.office_id == office.id)
    elif scope is not None:
        stmt = stmt.where(Act.office_id.in_(sorted(scope)))
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    rows = list(
        session.scalars(
            stmt.order_by(*order_of(q)).offset((max(page, 1) - 1) * size).limit(size + 1)
        )
    )
    more = len(rows) > size
    rows = rows[:size]
    append(
        session,
        by.actor,
        "act.search",
        "act",
        "search",
        detail={
            "criteria": _criteria(q),
            "ids": [a.id for a in rows],
        },
    )
    return rows, more


def _criteria(q: NameQuery) -> list[str]:
    return sorted(
        name
        for name in ("family", "given", "birth_date", "year", "father", "mother", "kind", "office")
        if getattr(q, name) is not None
    )
