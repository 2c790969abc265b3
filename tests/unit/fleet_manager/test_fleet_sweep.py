"""The ingest's sweep on a fake clock: silent terminals found, alerts opened (no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import sessionmaker

from fleet_manager.alerts.notify import Notifier
from fleet_manager.alerts.rules import Rule
from fleet_manager.metrics import FleetMetrics
from fleet_manager.runtime import FleetRuntime
from fleet_manager.settings import FleetSettings
from fleet_manager.status import Status
from protocol.codec import encode
from protocol.messages import OfflineReason, Presence, Telemetry, TerminalState
from protocol.topics import TerminalChannel


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def runtime(clock: Clock) -> FleetRuntime:
    settings = FleetSettings(
        ingest_enabled=False, office_hours="always", alert_raise_after_s=0, topic_root="u/v1"
    )
    # The sweep never touches the database: an unbound session factory proves it.
    return FleetRuntime(settings, sessionmaker(), FleetMetrics(), Notifier(settings), clock)


def status(rt: FleetRuntime, tid: str = "k1") -> Status:
    return rt.live[tid].status


def feed(rt: FleetRuntime, tid: str, interval: float, clock: Clock) -> None:
    tel = Telemetry(
        terminal_id=tid,
        ts=datetime.fromtimestamp(clock.now, UTC),
        seq=0,
        uptime_s=1,
        interval_s=interval,
    )
    rt.handle(rt.topics.terminal(tid, TerminalChannel.TELEMETRY), encode(tel), clock.now)


def test_silence_is_found_when_the_interval_shrinks_and_after_coming_back() -> None:
    clock = Clock()
    rt = runtime(clock)
    state = TerminalState(terminal_id="k1", presence=Presence.ONLINE)
    rt.handle(rt.topics.terminal("k1", TerminalChannel.STATE), encode(state), clock.now)
    feed(rt, "k1", 1.0, clock)  # a 1 s interval after a 10 s default deadline
    rt.sweep(clock.now)
    assert status(rt) is Status.ONLINE
    clock.now += 2.4
    rt.sweep(clock.now)
    assert status(rt) is Status.ONLINE
    clock.now += 0.2  # 2 intervals + 0.5 s passed
    rt.sweep(clock.now)
    assert (rt.live["k1"].status, rt.live["k1"].reason) == (Status.OFFLINE, "missed_heartbeats")
    assert [o.rule for o in rt._opened] == [Rule.OFFLINE]
    feed(rt, "k1", 1.0, clock)
    assert status(rt) is Status.ONLINE
    for _ in range(3):  # heard every second: stays online
        clock.now += 1.0
        feed(rt, "k1", 1.0, clock)
        rt.sweep(clock.now)
    assert status(rt) is Status.ONLINE
    clock.now += 2.6
    rt.sweep(clock.now)
    assert status(rt) is Status.OFFLINE


def test_many_terminals_one_goes_silent() -> None:
    clock = Clock()
    rt = runtime(clock)
    for i in range(500):
        feed(rt, f"k{i}", 10.0, clock)
    for _ in range(3):
        clock.now += 10.0
        for i in range(1, 500):
            feed(rt, f"k{i}", 10.0, clock)
        rt.sweep(clock.now)
    offline = [tid for tid, lv in rt.live.items() if lv.status is Status.OFFLINE]
    assert offline == ["k0"]


def test_an_old_boots_last_will_does_not_override_the_new_boot() -> None:
    clock = Clock()
    rt = runtime(clock)
    topic = rt.topics.terminal("k1", TerminalChannel.STATE)
    new = TerminalState(terminal_id="k1", presence=Presence.ONLINE, boot_id="b2")
    old_will = TerminalState(
        terminal_id="k1", presence=Presence.OFFLINE, reason=OfflineReason.LAST_WILL, boot_id="b1"
    )
    rt.handle(topic, encode(new), clock.now)
    rt.handle(topic, encode(old_will), clock.now)
    assert status(rt) is Status.ONLINE
    own_will = old_will.model_copy(update={"boot_id": "b2"})
    rt.handle(topic, encode(own_will), clock.now)
    assert (status(rt), rt.live["k1"].reason) == (Status.OFFLINE, "last_will")
