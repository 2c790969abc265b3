"""Kiosk usage in the database: counted as events are stored, summed per office and day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from fleet_manager.auth import Staff
from fleet_manager.hours import OfficeHours
from fleet_manager.models import AvailabilityDay, RolledDay, StatusChange, Terminal, UsageDay
from fleet_manager.usage import (
    METRICS,
    Uptime,
    days_between,
    local_day,
    open_windows,
    uptime_by_day,
)

#: Offices per page of the usage answer (each with its days and terminals).
DEFAULT_OFFICES = 50
MAX_OFFICES = 200
NO_OFFICE = "-"


def add_usage(session: Session, increments: Mapping[tuple[date, str], dict[str, Any]]) -> None:
    """Add to the day rows (only the ingest thread writes them, so no race)."""
    for (day, tid), row in increments.items():
        done = session.execute(
            update(UsageDay)
            .where(UsageDay.day == day, UsageDay.terminal_id == tid)
            .values({m: getattr(UsageDay, m) + row[m] for m in METRICS})
        )
        if not getattr(done, "rowcount", 0):
            session.add(UsageDay(day=day, terminal_id=tid, **row))
    session.flush()


def prune_usage(session: Session, now: datetime, keep_days: float) -> None:
    cutoff = now - timedelta(days=keep_days)
    session.execute(delete(UsageDay).where(UsageDay.day < cutoff.date()))
    session.execute(delete(StatusChange).where(StatusChange.ts < cutoff))
    session.execute(delete(AvailabilityDay).where(AvailabilityDay.day < cutoff.date()))
    session.execute(delete(RolledDay).where(RolledDay.day < cutoff.date()))


@dataclass(slots=True)
class Figures:
    requests: int = 0
    receipts: int = 0
    faults: int = 0
    open_s: float = 0.0
    online_s: float = 0.0

    def add_uptime(self, up: Uptime) -> None:
        self.open_s += up.open_s
        self.online_s += up.online_s

    def add(self, counts: Mapping[str, int]) -> None:
        self.requests += counts.get("requests", 0)
        self.receipts += counts.get("receipts", 0)
        self.faults += counts.get("faults", 0)

    def json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "receipts": self.receipts,
            "faults": self.faults,
            "open_s": round(self.open_s),
            "online_s": round(self.online_s),
            "availability": Uptime(self.open_s, self.online_s).availability,
        }


@dataclass(slots=True)
class _Tally:
    office: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    day: dict[tuple[str, date], Figures] = field(default_factory=lambda: defaultdict(Figures))
    terminal: dict[tuple[str, str], Figures] = field(default_factory=lambda: defaultdict(Figures))


class UsageRefused(Exception):  # noqa: N818 - a refusal the API answers with 403
    pass


def _scoped_offices(staff: Staff, office: str | None) -> list[str] | None:
    """Offices the answer may cover (None: all)."""
    if office:
        if not staff.sees(office):
            raise UsageRefused(f"office {office} is outside your offices")
        return [office]
    return None if staff.all_offices else sorted(staff.offices)


def _in_page(column: Any, page: list[str]) -> ColumnElement[bool]:
    real = column.in_([o for o in page if o != NO_OFFICE])
    return or_(real, column.is_(None)) if NO_OFFICE in page else real


def usage(
    session: Session,
    staff: Staff,
    since: date,
    until: date,
    hours: OfficeHours,
    now: datetime,
    office: str | None = None,
    limit: int = DEFAULT_OFFICES,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Per office (a page of them), per day and per terminal: counts and availability."""
    scope = _scoped_offices(staff, office)
    days = days_between(since, until)

    # Which offices there are: terminals' current offices and offices with usage in range.
    terminal_offices = select(func.coalesce(Terminal.office, NO_OFFICE)).distinct()
    usage_offices = (
        select(func.coalesce(UsageDay.office, NO_OFFICE))
        .where(UsageDay.day >= since, UsageDay.day <= until)
        .distinct()
    )
    if scope is not None:
        terminal_offices = terminal_offices.where(Terminal.office.in_(scope))
        usage_offices = usage_offices.where(UsageDay.office.in_(scope))
    every = sorted(set(session.scalars(terminal_offices)) | set(session.scalars(usage_offices)))
    after = [o for o in every if cursor is None or o > cursor]
    page = after[:limit]
    more = len(after) > limit

    tally = _Tally()
    per_office, per_day, per_terminal = tally.office, tally.day, tally.terminal
    if page:
        # Summed by the database: per office and day, and per office and terminal.
        sums = (
            func.sum(UsageDay.requests),
            func.sum(UsageDay.receipts),
            func.sum(UsageDay.faults),
        )
        where = (UsageDay.day >= since, UsageDay.day <= until, _in_page(UsageDay.office, page))
        by_day = select(UsageDay.office, UsageDay.day, *sums).where(*where)
        for off, day, requests, receipts, faults in session.execute(
            by_day.group_by(UsageDay.office, UsageDay.day)
        ):
            counts = {"requests": requests, "receipts": receipts, "faults": faults}
            per_office[off or NO_OFFICE].add(counts)
            per_day[(off or NO_OFFICE, day)].add(counts)
        by_terminal = select(UsageDay.office, UsageDay.terminal_id, *sums).where(*where)
        for off, tid, requests, receipts, faults in session.execute(
            by_terminal.group_by(UsageDay.office, UsageDay.terminal_id)
        ):
            counts = {"requests": requests, "receipts": receipts, "faults": faults}
            per_terminal[(off or NO_OFFICE, tid)].add(counts)
        _availability(session, page, days, hours, now, tally)

    offices_out = []
    for code in page:
        offices_out.append(
            {
                "office": None if code == NO_OFFICE else code,
                **per_office[code].json(),
                "days": [
                    {"day": day.isoformat(), **per_day[(code, day)].json()}
                    for day in days
                    if (code, day) in per_day
                ],
                "terminals": [
                    {"terminal_id": tid, **fig.json()}
                    for (off, tid), fig in sorted(per_terminal.items())
                    if off == code
                ],
            }
        )
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "timezone": str(hours.tz),
        "offices": offices_out,
        "total_offices": len(every),
        "next_cursor": page[-1] if more and page else None,
    }


def _uptimes(
    session: Session,
    office_of: Mapping[str, str],
    days: list[date],
    hours: OfficeHours,
    now: datetime,
) -> Iterator[tuple[str, date, Uptime]]:
    """(terminal, day, uptime) replayed from the status changes, for the given days."""
    if not office_of or not days:
        return
    start = datetime.combine(days[0], time.min, hours.tz).astimezone(UTC)
    end = min(datetime.combine(days[-1] + timedelta(days=1), time.min, hours.tz), now)
    end = end.astimezone(UTC)
    if end <= start:
        return
    windows = open_windows(days, hours)
    ids = sorted(office_of)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        changes: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        before: dict[str, str] = {}
        first: dict[str, datetime] = {}
        for tid, ts, status in session.execute(
            select(StatusChange.terminal_id, StatusChange.ts, StatusChange.status)
            .where(
                StatusChange.terminal_id.in_(chunk), StatusChange.ts >= start, StatusChange.ts < end
            )
            .order_by(StatusChange.terminal_id, StatusChange.ts)
        ):
            changes[tid].append((ts, status))
        # Each terminal's status as the period began: its last change before it.
        latest = (
            select(StatusChange.terminal_id, func.max(StatusChange.id).label("last"))
            .where(StatusChange.terminal_id.in_(chunk), StatusChange.ts < start)
            .group_by(StatusChange.terminal_id)
            .subquery()
        )
        for tid, status in session.execute(
            select(StatusChange.terminal_id, StatusChange.status).join(
                latest, StatusChange.id == latest.c.last
            )
        ):
            before[tid] = status
        for tid, ts in session.execute(
            select(StatusChange.terminal_id, func.min(StatusChange.ts))
            .where(StatusChange.terminal_id.in_(chunk))
            .group_by(StatusChange.terminal_id)
        ):
            first[tid] = ts
        for tid in chunk:
            by_day = uptime_by_day(
                changes.get(tid, []), before.get(tid), first.get(tid), windows, now
            )
            for day, up in by_day.items():
                yield tid, day, up


def _availability(
    session: Session,
    page: list[str],
    days: list[date],
    hours: OfficeHours,
    now: datetime,
    tally: _Tally,
) -> None:
    """Folded days are summed by the database; the others (today) replayed."""
    rolled = set(session.scalars(select(RolledDay.day).where(RolledDay.day.in_(days))))
    if rolled:
        where = (AvailabilityDay.day.in_(sorted(rolled)), _in_page(AvailabilityDay.office, page))
        sums = (func.sum(AvailabilityDay.open_s), func.sum(AvailabilityDay.online_s))
        for off, day, open_s, online_s in session.execute(
            select(AvailabilityDay.office, AvailabilityDay.day, *sums)
            .where(*where)
            .group_by(AvailabilityDay.office, AvailabilityDay.day)
        ):
            up = Uptime(float(open_s), float(online_s))
            tally.day[(off or NO_OFFICE, day)].add_uptime(up)
            tally.office[off or NO_OFFICE].add_uptime(up)
        for off, tid, open_s, online_s in session.execute(
            select(AvailabilityDay.office, AvailabilityDay.terminal_id, *sums)
            .where(*where)
            .group_by(AvailabilityDay.office, AvailabilityDay.terminal_id)
        ):
            tally.terminal[(off or NO_OFFICE, tid)].add_uptime(
                Uptime(float(open_s), float(online_s))
            )
    live = [d for d in days if d not in rolled]
    if not live:
        return
    terminals = select(Terminal.id, Terminal.office).where(_in_page(Terminal.office, page))
    office_of = {tid: off or NO_OFFICE for tid, off in session.execute(terminals)}
    for tid, day, up in _uptimes(session, office_of, live, hours, now):
        code = office_of[tid]
        tally.day[(code, day)].add_uptime(up)
        tally.terminal[(code, tid)].add_uptime(up)
        tally.office[code].add_uptime(up)


def roll_up(session: Session, hours: OfficeHours, now: datetime, max_days: int = 3) -> int:
    """Fold the availability of finished days not folded yet (a few per call, oldest
    first, so the ingest thread is never held long). Returns how many days were folded."""
    today = local_day(now, hours)
    last = session.scalar(select(func.max(RolledDay.day)))
    if last is not None:
        start = last + timedelta(days=1)
    else:
        first = session.scalar(select(func.min(StatusChange.ts)))
        if first is None:
            return 0
        start = local_day(first, hours)
    office_of = {
        tid: off or NO_OFFICE for tid, off in session.execute(select(Terminal.id, Terminal.office))
    }
    folded = 0
    day = start
    while day < today and folded < max_days:
        rows = [
            {
                "day": d,
                "terminal_id": tid,
                "office": None if office_of[tid] == NO_OFFICE else office_of[tid],
                "open_s": up.open_s,
                "online_s": up.online_s,
            }
            for tid, d, up in _uptimes(session, office_of, [day], hours, now)
        ]
        if rows:
            session.execute(insert(AvailabilityDay), rows)
        session.add(RolledDay(day=day))
        session.flush()
        folded += 1
        day += timedelta(days=1)
    return folded
