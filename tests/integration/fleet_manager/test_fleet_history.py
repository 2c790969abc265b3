"""Telemetry history stays bounded: old samples fold into hourly roll-ups, then go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fleet_manager.db import make_engine, make_sessions, migrate_schema
from fleet_manager.history import prune
from fleet_manager.models import TelemetryRollup, TelemetrySample, TerminalEvent

pytestmark = pytest.mark.integration


def test_prune_folds_and_drops(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fleet.db'}")
    migrate_schema(engine)
    sessions = make_sessions(engine)
    now = datetime(2026, 5, 4, 12, 30, tzinfo=UTC)
    with sessions.begin() as session:
        for minutes in range(0, 180, 10):  # three hours, the last one recent
            session.add(
                TelemetrySample(
                    terminal_id="k1",
                    ts=now - timedelta(minutes=minutes),
                    cpu_pct=float(minutes),
                    disk_free_pct=50.0 - minutes / 10,
                    printer="error" if minutes == 120 else "ok",
                )
            )
        session.add(
            TelemetryRollup(terminal_id="k1", hour=now - timedelta(days=200), samples=3, not_ok=0)
        )
        session.add(
            TerminalEvent(
                id="e-old", terminal_id="k1", ts=now - timedelta(days=60), kind="paper_low", data={}
            )
        )
    with sessions.begin() as session:
        folded = prune(session, now, raw_hours=1, rollup_days=90, events_days=30)
    assert folded == 11  # samples older than one hour (minutes 70 to 170)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(TelemetrySample)) == 7
        hours = session.scalars(select(TelemetryRollup).order_by(TelemetryRollup.hour)).all()
        assert [h.hour.hour for h in hours] == [9, 10, 11]
        assert sum(h.samples for h in hours) == 11
        assert [h.not_ok for h in hours] == [0, 1, 0]
        assert session.scalar(select(func.count()).select_from(TerminalEvent)) == 0
    with sessions.begin() as session:  # folding again adds to the same hours
        session.add(TelemetrySample(terminal_id="k1", ts=now - timedelta(minutes=175), cpu_pct=0.0))
    with sessions.begin() as session:
        assert prune(session, now, raw_hours=1, rollup_days=90, events_days=30) == 1
    with sessions() as session:
        nine = session.get(TelemetryRollup, ("k1", datetime(2026, 5, 4, 9, tzinfo=UTC)))
        assert nine is not None
        assert nine.samples == 3
    engine.dispose()
