"""Availability of finished days folded into daily rows gives the same figures as replaying
the status changes (which the ingest wrote as the terminals' states arrived)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fleet_manager.auth import LOCAL_OPERATOR
from fleet_manager.models import AvailabilityDay
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from fleet_manager.usage_store import roll_up, usage
from protocol.codec import encode
from protocol.messages import Presence, TerminalState
from protocol.topics import TerminalChannel

TZ = ZoneInfo("Africa/Casablanca")


def _at(day: date, hour: int) -> float:
    return datetime.combine(day, time(hour), TZ).timestamp()


def test_folded_days_match_the_replayed_ones(tmp_path: Path) -> None:
    settings = FleetSettings(
        data_dir=tmp_path,
        ingest_enabled=False,
        office_hours="08:00-16:30",
        office_days="mon,tue,wed,thu,fri,sat,sun",
        office_timezone="Africa/Casablanca",
    )
    service = FleetService.build(settings)
    runtime = service.runtime
    today = datetime.now(TZ).date()
    first = today - timedelta(days=3)

    def state(tid: str, office: str, presence: Presence, when: float) -> None:
        message = TerminalState(terminal_id=tid, presence=presence, office=office)
        runtime.handle(runtime.topics.terminal(tid, TerminalChannel.STATE), encode(message), when)
        runtime.flush(when)

    # kiosk-a: up from 09:00 three days ago, down 12:00-14:00 two days ago; kiosk-b: up
    # from yesterday 10:00.
    state("kiosk-a", "MK01", Presence.ONLINE, _at(first, 9))
    state("kiosk-a", "MK01", Presence.OFFLINE, _at(first + timedelta(days=1), 12))
    state("kiosk-a", "MK01", Presence.ONLINE, _at(first + timedelta(days=1), 14))
    state("kiosk-b", "MK02", Presence.ONLINE, _at(today - timedelta(days=1), 10))
    now = datetime.now(UTC)
    with service.sessions() as session:
        replayed = usage(session, LOCAL_OPERATOR, first, today, runtime.hours, now)
    with service.sessions.begin() as session:
        assert roll_up(session, runtime.hours, now, max_days=2) == 2
        assert roll_up(session, runtime.hours, now) == 1  # up to yesterday, never today
        assert roll_up(session, runtime.hours, now) == 0
    with service.sessions() as session:
        assert session.query(AvailabilityDay).count() == 4
        folded = usage(session, LOCAL_OPERATOR, first, today, runtime.hours, now)
    assert folded == replayed
    mk01 = replayed["offices"][0]
    days = {d["day"]: d for d in mk01["days"]}
    hours_open = 8.5 * 3600
    assert days[first.isoformat()]["open_s"] == round(hours_open - 3600)  # from 09:00
    assert days[first.isoformat()]["availability"] == 1.0
    second = days[(first + timedelta(days=1)).isoformat()]
    assert (second["open_s"], second["online_s"]) == (round(hours_open), round(hours_open - 7200))
    mk02 = replayed["offices"][1]
    assert next(d["day"] for d in mk02["days"]) == (today - timedelta(days=1)).isoformat()
