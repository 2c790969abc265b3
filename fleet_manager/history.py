"""Bounded telemetry history: raw samples for a while, then hourly roll-ups, then nothing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fleet_manager.models import TelemetryRollup, TelemetrySample, TerminalEvent

BATCH = 20_000


def _hour(ts: datetime) -> datetime:
    return ts.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def fold(samples: Sequence[TelemetrySample]) -> dict[tuple[str, datetime], dict[str, Any]]:
    """Hourly aggregates of raw samples (pure)."""
    groups: dict[tuple[str, datetime], list[TelemetrySample]] = defaultdict(list)
    for s in samples:
        groups[(s.terminal_id, _hour(s.ts))].append(s)
    out: dict[tuple[str, datetime], dict[str, Any]] = {}
    for key, rows in groups.items():
        disks = [r.disk_free_pct for r in rows if r.disk_free_pct is not None]
        outbox = [r.outbox_pending for r in rows if r.outbox_pending is not None]
        out[key] = {
            "samples": len(rows),
            "cpu_avg": _mean([r.cpu_pct for r in rows if r.cpu_pct is not None]),
            "mem_avg": _mean([r.mem_pct for r in rows if r.mem_pct is not None]),
            "disk_free_min": min(disks) if disks else None,
            "outbox_max": max(outbox) if outbox else None,
            "not_ok": sum(
                1 for r in rows if (r.printer or "ok") != "ok" or (r.card_reader or "ok") != "ok"
            ),
        }
    return out


def _combine(old: TelemetryRollup, new: dict[str, Any]) -> None:
    added: int = new["samples"]
    total: int = old.samples + added

    def wavg(a: float | None, b: float | None) -> float | None:
        if a is None or b is None:
            return a if b is None else b
        return round((a * old.samples + b * added) / total, 2)

    old.cpu_avg = wavg(old.cpu_avg, new["cpu_avg"])
    old.mem_avg = wavg(old.mem_avg, new["mem_avg"])
    disks = [d for d in (old.disk_free_min, new["disk_free_min"]) if d is not None]
    old.disk_free_min = min(disks) if disks else None
    boxes = [b for b in (old.outbox_max, new["outbox_max"]) if b is not None]
    old.outbox_max = max(boxes) if boxes else None
    old.not_ok += new["not_ok"]
    old.samples = total


def prune(
    session: Session, now: datetime, raw_hours: float, rollup_days: float, events_days: float
) -> int:
    """Fold raw samples older than ``raw_hours`` into roll-ups and drop what is too old."""
    cutoff = now - timedelta(hours=raw_hours)
    folded = 0
    while True:
        rows = session.scalars(
            select(TelemetrySample).where(TelemetrySample.ts < cutoff).limit(BATCH)
        ).all()
        if not rows:
            break
        for (tid, hour), agg in fold(rows).items():
            existing = session.get(TelemetryRollup, (tid, hour))
            if existing is None:
                session.add(TelemetryRollup(terminal_id=tid, hour=hour, **agg))
            else:
                _combine(existing, agg)
        session.execute(delete(TelemetrySample).where(TelemetrySample.id.in_([r.id for r in rows])))
        session.flush()
        folded += len(rows)
        if len(rows) < BATCH:
            break
    session.execute(
        delete(TelemetryRollup).where(TelemetryRollup.hour < now - timedelta(days=rollup_days))
    )
    session.execute(
        delete(TerminalEvent).where(TerminalEvent.ts < now - timedelta(days=events_days))
    )
    return folded
