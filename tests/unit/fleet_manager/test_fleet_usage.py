"""Kiosk usage rules: which events count, local days, availability within office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fleet_manager.hours import OfficeHours
from fleet_manager.usage import (
    Uptime,
    count_events,
    metric_of,
    open_window,
    open_windows,
    uptime_by_day,
)

# Monday 2026-11-23 to Wednesday 2026-11-25; Casablanca is UTC+1 in November.
HOURS = OfficeHours.parse("08:00-16:30", "mon,tue,wed,thu,fri", "Africa/Casablanca")


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_which_events_count() -> None:
    assert metric_of("request_submitted", {"document": "extract"}) == "requests"
    assert metric_of("receipt_printed", {}) == "receipts"
    assert metric_of("paper_out", {}) == "faults"
    assert metric_of("cover_open", {}) == "faults"
    assert metric_of("device_changed", {"device": "printer", "ready": False}) == "faults"
    assert metric_of("device_changed", {"device": "printer", "ready": True}) is None
    assert metric_of("paper_low", {}) is None
    assert metric_of("card_inserted", {}) is None


def test_office_hours_window_in_utc_and_closed_days() -> None:
    assert open_window(date(2026, 11, 23), HOURS) == (utc(23, 7), utc(23, 15, 30))
    assert open_window(date(2026, 11, 22), HOURS) is None  # Sunday
    always = OfficeHours.parse("always", tz="UTC")
    assert open_window(date(2026, 11, 22), always) == (utc(22, 0), utc(23, 0))


def test_availability_counts_alive_time_inside_office_hours_only() -> None:
    days = [date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)]
    changes = [
        (utc(23, 9), "offline"),  # 10:00 local: down for an hour
        (utc(23, 10), "degraded"),  # alive again (a degraded kiosk still answers)
        (utc(24, 12), "maintenance"),
    ]
    got = uptime_by_day(changes, "online", utc(1, 0), open_windows(days, HOURS), now=utc(24, 13))
    assert date(2026, 11, 22) not in got  # Sunday: closed
    office_day = 8.5 * 3600
    assert got[date(2026, 11, 23)] == Uptime(office_day, office_day - 3600)
    # Tuesday up to "now" (14:00 local): 6 h open, alive until 13:00 local.
    assert got[date(2026, 11, 24)] == Uptime(6 * 3600, 5 * 3600)
    assert got[date(2026, 11, 23)].availability == round((office_day - 3600) / office_day, 4)


def test_a_terminal_counts_from_when_it_was_first_known() -> None:
    monday = open_windows([date(2026, 11, 23)], HOURS)
    got = uptime_by_day([(utc(23, 11), "online")], None, utc(23, 11), monday, utc(25, 0))
    assert got[date(2026, 11, 23)] == Uptime(4.5 * 3600, 4.5 * 3600)
    never = uptime_by_day([], None, None, monday, utc(25, 0))
    assert never == {}


def test_events_are_counted_per_local_day_and_terminal() -> None:
    events = [
        {"terminal_id": "k1", "ts": utc(23, 23, 30), "kind": "request_submitted", "data": {}},
        {"terminal_id": "k1", "ts": utc(23, 22, 0), "kind": "request_submitted", "data": {}},
        {"terminal_id": "k1", "ts": utc(23, 22, 5), "kind": "receipt_printed", "data": {}},
        {"terminal_id": "k2", "ts": utc(23, 10, 0), "kind": "paper_low", "data": {}},
    ]
    got = count_events(events, {"k1": "MK01"}, HOURS)
    # 23:30 UTC is already the 24th in Casablanca.
    assert got[(date(2026, 11, 24), "k1")] == {
        "office": "MK01",
        "requests": 1,
        "receipts": 0,
        "faults": 0,
    }
    assert got[(date(2026, 11, 23), "k1")]["requests"] == 1
    assert got[(date(2026, 11, 23), "k1")]["receipts"] == 1
    assert (date(2026, 11, 23), "k2") not in got
