"""Kiosk usage, apart from I/O: which events count, local days, availability.

Availability is the share of office hours a terminal was alive (``online`` or
``degraded``: it answered, even with a device down), read from its status changes.
Office hours are the fleet's (``office_hours``, ``office_days``, ``office_timezone``); a
terminal counts from the first time its status was recorded, and today only until now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fleet_manager.hours import OfficeHours
from protocol.health import Scalar
from protocol.messages import EventKind

REQUESTS = "requests"
RECEIPTS = "receipts"
FAULTS = "faults"
METRICS = (REQUESTS, RECEIPTS, FAULTS)
#: Statuses in which a kiosk answers (a degraded one may still serve, e.g. without paper).
AVAILABLE = frozenset({"online", "degraded"})
#: Device faults the kiosk reports as events (a printer going "not ready" too).
FAULT_KINDS = frozenset({EventKind.PAPER_OUT.value, EventKind.COVER_OPEN.value, "error"})
#: Longest period one usage query may cover.
MAX_DAYS = 366


def metric_of(kind: str, data: Mapping[str, Scalar]) -> str | None:
    """The usage figure an event adds to, or None when it is not counted."""
    if kind == EventKind.REQUEST_SUBMITTED.value:
        return REQUESTS
    if kind == EventKind.RECEIPT_PRINTED.value:
        return RECEIPTS
    if kind in FAULT_KINDS:
        return FAULTS
    if kind == EventKind.DEVICE_CHANGED.value and data.get("ready") is False:
        return FAULTS
    return None


def count_events(
    events: Iterable[Mapping[str, Any]], office_of: Mapping[str, str | None], hours: OfficeHours
) -> dict[tuple[date, str], dict[str, Any]]:
    """Stored events → per (local day, terminal) increments."""
    out: dict[tuple[date, str], dict[str, Any]] = {}
    for e in events:
        metric = metric_of(e["kind"], e.get("data") or {})
        if metric is None:
            continue
        tid: str = e["terminal_id"]
        key = (local_day(e["ts"], hours), tid)
        row = out.setdefault(key, {"office": office_of.get(tid), **dict.fromkeys(METRICS, 0)})
        row[metric] += 1
    return out


def local_day(ts: datetime, hours: OfficeHours) -> date:
    return ts.astimezone(hours.tz).date()


def days_between(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def open_window(day: date, hours: OfficeHours) -> tuple[datetime, datetime] | None:
    """The office's opening on a local day, in UTC; None on a closed day."""
    start_of_day = datetime(day.year, day.month, day.day, tzinfo=hours.tz)
    if hours.opens is None or hours.closes is None:
        following = day + timedelta(days=1)
        end = datetime(following.year, following.month, following.day, tzinfo=hours.tz)
        return start_of_day.astimezone(UTC), end.astimezone(UTC)
    if day.weekday() not in hours.days:
        return None
    opens = datetime.combine(day, hours.opens, hours.tz)
    closes = datetime.combine(day, hours.closes, hours.tz)
    return opens.astimezone(UTC), closes.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Uptime:
    open_s: float = 0.0  # office-hours seconds the terminal existed
    online_s: float = 0.0  # of which it was alive

    @property
    def availability(self) -> float | None:
        return round(self.online_s / self.open_s, 4) if self.open_s > 0 else None


Window = tuple[date, float, float]  # a local day's opening, in epoch seconds


def open_windows(days: Iterable[date], hours: OfficeHours) -> list[Window]:
    """The openings of the days that have one, in order (computed once per query)."""
    out: list[Window] = []
    for day in days:
        window = open_window(day, hours)
        if window is not None:
            out.append((day, window[0].timestamp(), window[1].timestamp()))
    return out


def uptime_by_day(
    changes: Sequence[tuple[datetime, str]],
    before: str | None,
    first_known: datetime | None,
    windows: Sequence[Window],
    now: datetime,
) -> dict[date, Uptime]:
    """Per local day: office-hours seconds and the alive part of them.

    ``changes`` are the terminal's (time, new status) in the period, oldest first;
    ``before`` its status when the period began (None: not known yet); ``first_known``
    when it was first recorded at all; ``windows`` from :func:`open_windows`.
    """
    if first_known is None:
        return {}
    stop = now.timestamp()
    alive: list[tuple[float, float]] = []  # ordered, not overlapping
    current, since = before, float("-inf")
    for ts, status in changes:
        at = ts.timestamp()
        if current in AVAILABLE and at > since:
            alive.append((since, at))
        current, since = status, at
    if current in AVAILABLE and stop > since:
        alive.append((since, stop))
    known = first_known.timestamp()
    out: dict[date, Uptime] = {}
    k = 0  # both lists are in time order: one pass over each
    for day, opens, closes in windows:
        start, end = max(opens, known), min(closes, stop)
        if end <= start:
            continue
        while k < len(alive) and alive[k][1] <= start:
            k += 1
        online = 0.0
        m = k
        while m < len(alive) and alive[m][0] < end:
            online += min(alive[m][1], end) - max(alive[m][0], start)
            m += 1
        out[day] = Uptime(open_s=end - start, online_s=online)
    return out
