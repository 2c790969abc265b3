"""Read-side queries for the dashboard and the API, always limited to the staff's offices."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from fleet_manager.auth import Staff
from fleet_manager.models import (
    Alert,
    AuditEntry,
    CommandRecord,
    ConfigVersion,
    TelemetryRollup,
    TelemetrySample,
    Terminal,
    TerminalEvent,
)

NO_OFFICE = "—"
#: Rows per page of a list, unless asked otherwise, and the most one page may hold.
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int  # rows matching, over every page
    next_cursor: str | None  # None: this was the last page


class CursorError(ValueError):
    pass


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        return int(cursor)
    except ValueError:
        raise CursorError(f"bad cursor {cursor!r}") from None


def _paged(rows: list[T], limit: int, cursor_of: Any) -> tuple[list[T], str | None]:
    """``rows`` were fetched with ``limit + 1``: the extra one says another page exists."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, str(cursor_of(rows[-1]))
    return rows, None


@dataclass(frozen=True, slots=True)
class Dot:
    """What the grid needs of a terminal (not its telemetry: 5,000 of those are heavy)."""

    id: str
    status: str
    status_reason: str | None


@dataclass(slots=True)
class OfficeTile:
    code: str
    counts: Counter[str] = field(default_factory=Counter)
    terminals: list[Dot] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.terminals)

    @property
    def worst(self) -> str:
        for status in ("offline", "degraded", "unknown", "maintenance", "closed", "online"):
            if self.counts.get(status):
                return status
        return "unknown"


def _scoped(query: Select[Any], staff: Staff, column: Any) -> Select[Any]:
    return query if staff.all_offices else query.where(column.in_(sorted(staff.offices)))


def terminals_page(
    session: Session,
    staff: Staff,
    office: str | None = None,
    status: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[Terminal]:
    """Terminals by id, ``limit`` at a time after the ``cursor`` (the last id seen)."""
    query = _scoped(select(Terminal), staff, Terminal.office)
    if office:
        query = query.where(Terminal.office == office)
    if status:
        query = query.where(Terminal.status == status)
    total = _count(session, query)
    if cursor:
        query = query.where(Terminal.id > cursor)
    rows = list(session.scalars(query.order_by(Terminal.id).limit(limit + 1)))
    items, following = _paged(rows, limit, lambda t: t.id)
    return Page(items, total, following)


def alerts_page(
    session: Session,
    staff: Staff,
    states: tuple[str, ...],
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[Alert]:
    """Newest first; the cursor is the last alert id seen."""
    query = _scoped(select(Alert), staff, Alert.office).where(Alert.state.in_(states))
    total = _count(session, query)
    after = _int_cursor(cursor)
    if after is not None:
        query = query.where(Alert.id < after)
    rows = list(session.scalars(query.order_by(Alert.id.desc()).limit(limit + 1)))
    items, following = _paged(rows, limit, lambda a: a.id)
    return Page(items, total, following)


def count_alerts(session: Session, staff: Staff, states: tuple[str, ...]) -> int:
    query = _scoped(select(Alert.id), staff, Alert.office).where(Alert.state.in_(states))
    return _count(session, query)


def commands_page(
    session: Session, terminal_id: str, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[CommandRecord]:
    """Newest first; the cursor is how many were already listed (ids are not ordered)."""
    query = select(CommandRecord).where(CommandRecord.terminal_id == terminal_id)
    total = _count(session, query)
    skip = _int_cursor(cursor) or 0
    rows = list(
        session.scalars(
            query.order_by(CommandRecord.issued_at.desc(), CommandRecord.id)
            .offset(skip)
            .limit(limit + 1)
        )
    )
    items, following = _paged(rows, limit, lambda _c: skip + limit)
    return Page(items, total, following)


def _newest_first(
    session: Session, query: Select[Any], id_column: Any, limit: int, cursor: str | None
) -> Page[Any]:
    """Rows by descending integer id; the cursor is the last id seen."""
    total = _count(session, query)
    after = _int_cursor(cursor)
    if after is not None:
        query = query.where(id_column < after)
    rows = list(session.scalars(query.order_by(id_column.desc()).limit(limit + 1)))
    items, following = _paged(rows, limit, lambda r: r.id)
    return Page(items, total, following)


def config_page(
    session: Session,
    scope: str | None = None,
    scope_id: str | None = None,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page[ConfigVersion]:
    query = select(ConfigVersion)
    if scope is not None:
        query = query.where(ConfigVersion.scope == scope)
    if scope_id is not None:
        query = query.where(ConfigVersion.scope_id == scope_id)
    return _newest_first(session, query, ConfigVersion.id, limit, cursor)


def audit_page(
    session: Session, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> Page[AuditEntry]:
    return _newest_first(session, select(AuditEntry), AuditEntry.id, limit, cursor)


def overview(session: Session, staff: Staff) -> tuple[list[OfficeTile], Counter[str]]:
    tiles: dict[str, OfficeTile] = defaultdict(lambda: OfficeTile(""))
    totals: Counter[str] = Counter()
    query = _scoped(
        select(Terminal.id, Terminal.office, Terminal.status, Terminal.status_reason),
        staff,
        Terminal.office,
    ).order_by(Terminal.office, Terminal.id)
    for tid, office, status, reason in session.execute(query):
        code = office or NO_OFFICE
        tile = tiles[code]
        tile.code = code
        tile.counts[status] += 1
        tile.terminals.append(Dot(tid, status, reason))
        totals[status] += 1
    return [tiles[c] for c in sorted(tiles)], totals


def terminal(session: Session, staff: Staff, terminal_id: str) -> Terminal | None:
    row = session.get(Terminal, terminal_id)
    if row is None or not staff.sees(row.office):
        return None
    return row


def alerts(
    session: Session,
    staff: Staff,
    states: tuple[str, ...] = ("open", "acknowledged"),
    terminal_id: str | None = None,
    limit: int = 500,
) -> list[Alert]:
    query = _scoped(select(Alert), staff, Alert.office).where(Alert.state.in_(states))
    if terminal_id:
        query = query.where(Alert.terminal_id == terminal_id)
    return list(session.scalars(query.order_by(Alert.opened_at.desc()).limit(limit)))


def commands(session: Session, terminal_id: str, limit: int = 50) -> list[CommandRecord]:
    return list(
        session.scalars(
            select(CommandRecord)
            .where(CommandRecord.terminal_id == terminal_id)
            .order_by(CommandRecord.issued_at.desc())
            .limit(limit)
        )
    )


def events(session: Session, terminal_id: str, limit: int = 50) -> list[TerminalEvent]:
    return list(
        session.scalars(
            select(TerminalEvent)
            .where(TerminalEvent.terminal_id == terminal_id)
            .order_by(TerminalEvent.ts.desc())
            .limit(limit)
        )
    )


def history(session: Session, terminal_id: str, since: datetime) -> list[dict[str, Any]]:
    """Points for the charts: hourly roll-ups first, then the raw samples after them."""
    points: list[dict[str, Any]] = [
        {
            "ts": r.hour,
            "cpu_pct": r.cpu_avg,
            "mem_pct": r.mem_avg,
            "disk_free_pct": r.disk_free_min,
            "outbox_pending": r.outbox_max,
            "not_ok": r.not_ok > 0,
        }
        for r in session.scalars(
            select(TelemetryRollup)
            .where(TelemetryRollup.terminal_id == terminal_id, TelemetryRollup.hour >= since)
            .order_by(TelemetryRollup.hour)
        )
    ]
    raw_since = points[-1]["ts"] + timedelta(hours=1) if points else since
    points += [
        {
            "ts": s.ts,
            "cpu_pct": s.cpu_pct,
            "mem_pct": s.mem_pct,
            "disk_free_pct": s.disk_free_pct,
            "outbox_pending": s.outbox_pending,
            "not_ok": (s.printer or "ok") != "ok" or (s.card_reader or "ok") != "ok",
        }
        for s in session.scalars(
            select(TelemetrySample)
            .where(TelemetrySample.terminal_id == terminal_id, TelemetrySample.ts >= raw_since)
            .order_by(TelemetrySample.ts)
        )
    ]
    return points
