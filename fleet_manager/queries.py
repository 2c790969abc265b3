"""Read-side queries for the dashboard and the API, always limited to the staff's offices."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from fleet_manager.auth import Staff
from fleet_manager.models import (
    Alert,
    CommandRecord,
    TelemetryRollup,
    TelemetrySample,
    Terminal,
    TerminalEvent,
)

NO_OFFICE = "—"


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


def terminals(
    session: Session, staff: Staff, office: str | None = None, status: str | None = None
) -> list[Terminal]:
    query = _scoped(select(Terminal), staff, Terminal.office).order_by(Terminal.office, Terminal.id)
    if office:
        query = query.where(Terminal.office == office)
    if status:
        query = query.where(Terminal.status == status)
    return list(session.scalars(query))


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
