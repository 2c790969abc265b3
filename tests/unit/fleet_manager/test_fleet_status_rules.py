"""Status derivation, office hours, alert rules and hysteresis (pure logic)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fleet_manager.alerts.engine import AlertEngine, Opened, Resolved
from fleet_manager.alerts.rules import Rule, Thresholds, evaluate
from fleet_manager.hours import OfficeHours
from fleet_manager.status import Live, Status, StatusPolicy, derive
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import OfflineReason, Presence, Telemetry

ALWAYS = OfficeHours.parse("always")
POLICY = StatusPolicy(hours=ALWAYS, missed_heartbeats=2, grace_s=0.5)
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC).timestamp()  # a Monday, 11:00 in Casablanca


def telemetry(**fields: object) -> Telemetry:
    base: dict[str, object] = {
        "terminal_id": "kiosk-1",
        "ts": datetime.fromtimestamp(T0, UTC),
        "seq": 1,
        "uptime_s": 5,
        "interval_s": 10,
    }
    return Telemetry.model_validate(base | fields)


def live(**fields: object) -> Live:
    lv = Live(terminal_id="kiosk-1", presence=Presence.ONLINE, last_seen=T0, interval_s=10)
    for key, value in fields.items():
        setattr(lv, key, value)
    return lv


def test_online_until_two_heartbeats_and_grace_are_missed() -> None:
    lv = live()
    assert derive(lv, T0 + 20.4, POLICY) == (Status.ONLINE, None)
    assert derive(lv, T0 + 20.6, POLICY) == (Status.OFFLINE, "missed_heartbeats")


def test_offline_reasons_from_the_terminal_state() -> None:
    lv = live(presence=Presence.OFFLINE, presence_reason=OfflineReason.LAST_WILL)
    assert derive(lv, T0, POLICY) == (Status.OFFLINE, "last_will")
    lv.presence_reason = OfflineReason.OFFICE_CLOSED
    assert derive(lv, T0, POLICY) == (Status.CLOSED, "office_closed")


def test_never_seen_is_unknown_and_maintenance_is_its_own_status() -> None:
    assert derive(Live(terminal_id="kiosk-1"), T0, POLICY) == (Status.UNKNOWN, None)
    assert derive(live(presence=Presence.MAINTENANCE), T0, POLICY)[0] is Status.MAINTENANCE


def test_degraded_says_why() -> None:
    lv = live(
        telemetry=telemetry(
            devices={DeviceKind.PRINTER: DeviceHealth.degraded("paper near end")},
            disk_free_pct=4,
        )
    )
    status, reason = derive(lv, T0, POLICY)
    assert status is Status.DEGRADED
    assert reason == "printer: paper near end; disk 4% free"


def test_outside_office_hours_offline_is_closed() -> None:
    hours = OfficeHours.parse("08:00-16:30", "mon,tue,wed,thu,fri", "Africa/Casablanca")
    policy = StatusPolicy(hours=hours)
    assert hours.is_open(T0)
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC).timestamp()
    evening = datetime(2026, 3, 2, 18, 0, tzinfo=UTC).timestamp()
    assert not hours.is_open(saturday)
    assert not hours.is_open(evening)
    lv = live(presence=Presence.OFFLINE, presence_reason=OfflineReason.CLEAN_SHUTDOWN)
    assert derive(lv, evening, policy) == (Status.CLOSED, "clean_shutdown")
    assert derive(lv, T0, policy) == (Status.OFFLINE, "clean_shutdown")


def test_office_hours_are_checked_when_parsed() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        OfficeHours.parse("8h-17h")
    assert OfficeHours.parse("00:00-24:00", "sun").closes is not None


TH = Thresholds(offline_after_s=60, outbox_stuck_after_s=600, disk_low_pct=10, disk_clear_pct=15)


def test_rules_map_device_faults() -> None:
    lv = live(
        status=Status.DEGRADED,
        skew_s=-300,
        telemetry=telemetry(
            devices={
                DeviceKind.PRINTER: DeviceHealth.error("paper out"),
                DeviceKind.CARD_READER: DeviceHealth.absent("no reader"),
            },
            outbox_pending=4,
            outbox_oldest_age_s=900,
            disk_free_pct=8,
        ),
    )
    held, unknown = evaluate(lv, T0, TH)
    assert unknown == frozenset()
    assert set(held) == {
        Rule.PAPER_OUT,
        Rule.CARD_READER_MISSING,
        Rule.OUTBOX_STUCK,
        Rule.DISK_FULL,
        Rule.CLOCK_SKEW,
    }
    lv.telemetry = telemetry(devices={DeviceKind.PRINTER: DeviceHealth.error("cover open")})
    lv.skew_s = 0
    assert set(evaluate(lv, T0, TH)[0]) == {Rule.PRINTER_ERROR}
    lv.telemetry = telemetry(devices={DeviceKind.PRINTER: DeviceHealth.degraded("paper near end")})
    assert set(evaluate(lv, T0, TH)[0]) == {Rule.PAPER_LOW}


def test_disk_alert_has_a_band() -> None:
    lv = live(status=Status.ONLINE, telemetry=telemetry(disk_free_pct=12))
    assert Rule.DISK_FULL not in evaluate(lv, T0, TH)[0]
    assert Rule.DISK_FULL in evaluate(lv, T0, TH, frozenset({Rule.DISK_FULL}))[0]


def test_offline_rule_waits_and_device_rules_freeze_while_offline() -> None:
    lv = live(status=Status.OFFLINE, status_since=T0, reason="last_will", telemetry=telemetry())
    held, unknown = evaluate(lv, T0 + 59, TH)
    assert held == {}
    assert Rule.PAPER_OUT in unknown
    held, _ = evaluate(lv, T0 + 61, TH)
    assert held == {Rule.OFFLINE: "offline (last_will)"}


def test_hysteresis_opens_once_and_resolves_after_quiet() -> None:
    engine = AlertEngine(raise_after_s=30, clear_after_s=60)
    paper = {Rule.PAPER_LOW: "paper near end"}
    none: dict[Rule, str] = {}
    assert engine.step("k", paper, frozenset(), 0) == []
    assert engine.step("k", none, frozenset(), 10) == []  # flapped back: forgotten
    assert engine.step("k", paper, frozenset(), 20) == []
    assert engine.step("k", paper, frozenset(), 49) == []
    opened = engine.step("k", paper, frozenset(), 50)
    assert opened == [Opened("k", Rule.PAPER_LOW, "warning", "paper near end")]
    engine.attach("k", Rule.PAPER_LOW, 41)
    assert engine.step("k", paper, frozenset(), 60) == []  # already open
    assert engine.step("k", none, frozenset(), 70) == []
    assert engine.step("k", paper, frozenset(), 100) == []  # came back before clear delay
    assert engine.step("k", none, frozenset(), 110) == []
    assert engine.step("k", none, frozenset(), 169) == []
    assert engine.step("k", none, frozenset(), 170) == [Resolved("k", Rule.PAPER_LOW, 41)]
    assert engine.tracks == {}


def test_unknown_rules_are_left_alone_and_offline_opens_at_once() -> None:
    engine = AlertEngine(raise_after_s=30, clear_after_s=0)
    engine.adopt("k", Rule.PAPER_OUT, 7)
    changes = engine.step("k", {Rule.OFFLINE: "offline"}, frozenset({Rule.PAPER_OUT}), 0)
    assert changes == [Opened("k", Rule.OFFLINE, "critical", "offline")]
    assert engine.open_rules("k") == frozenset({Rule.OFFLINE, Rule.PAPER_OUT})
