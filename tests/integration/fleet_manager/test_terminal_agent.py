"""The terminal agent against a real Mosquitto: presence, Will, telemetry, commands, config."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from central_broker.runner import RunningBroker
from kiosk_terminal.agent import AgentOptions, CommandResult, HealthSnapshot, TerminalAgent
from protocol.codec import decode, encode
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import (
    AckStatus,
    Command,
    CommandAck,
    CommandName,
    OfflineReason,
    Presence,
    Telemetry,
    TerminalConfig,
    TerminalSettings,
    TerminalState,
    utcnow,
)
from protocol.topics import TerminalChannel, Topics
from tests.integration.fleet_manager.fleet_helpers import Probe, Received, retained

pytestmark = pytest.mark.integration


def _state(msg: Received) -> TerminalState:
    decoded = decode(TerminalState, msg.payload)
    assert isinstance(decoded, TerminalState), decoded
    return decoded


def _is_state(topics: Topics, tid: str, presence: Presence, reason: OfflineReason | None = None):  # type: ignore[no-untyped-def]
    topic = topics.terminal(tid, TerminalChannel.STATE)

    def match(msg: Received) -> bool:
        if msg.topic != topic:
            return False
        state = _state(msg)
        return state.presence is presence and state.reason == reason

    return match


@pytest.fixture
def options(mosquitto: RunningBroker, topic_root: str) -> AgentOptions:
    return AgentOptions(
        terminal_id="kiosk-a1",
        office="MK01",
        host=mosquitto.host,
        port=mosquitto.port,
        topic_root=topic_root,
        keepalive_s=2,
        telemetry_interval_s=1.0,
    )


@pytest.fixture
def agent(options: AgentOptions) -> Iterator[TerminalAgent]:
    def broken() -> CommandResult:
        raise RuntimeError("printer jammed")

    a = TerminalAgent(
        options,
        health=lambda: HealthSnapshot(
            devices={DeviceKind.PRINTER: DeviceHealth.degraded("paper near end")},
            outbox_pending=2,
        ),
        handlers={CommandName.PRINT_TEST: lambda _c: broken()},
    )
    a.start()
    assert a.wait_connected()
    yield a
    if not a.stopped:
        a.stop()


def test_online_state_is_retained_and_clean_stop_says_offline(
    agent: TerminalAgent, probe: Probe, topic_root: str
) -> None:
    topics = Topics(topic_root)
    probe.subscribe(topics.terminal("kiosk-a1", TerminalChannel.STATE))
    online = retained(probe.host, probe.port, topics.terminal("kiosk-a1", TerminalChannel.STATE))
    state = _state(online)
    assert state.boot_id == agent.boot_id
    assert state.office == "MK01"
    agent.stop()
    offline = probe.wait_for(
        _is_state(topics, "kiosk-a1", Presence.OFFLINE, OfflineReason.CLEAN_SHUTDOWN)
    )
    assert _state(offline).boot_id == agent.boot_id
    # The clean DISCONNECT suppressed the Will: the retained state stays "clean shutdown".
    kept = retained(probe.host, probe.port, topics.terminal("kiosk-a1", TerminalChannel.STATE))
    assert _state(kept).reason is OfflineReason.CLEAN_SHUTDOWN


def test_frozen_connection_ends_in_last_will(
    agent: TerminalAgent, probe: Probe, topic_root: str
) -> None:
    topics = Topics(topic_root)
    probe.subscribe(topics.terminal("kiosk-a1", TerminalChannel.STATE))
    probe.wait_for(_is_state(topics, "kiosk-a1", Presence.ONLINE))
    agent.freeze()  # socket stays open, nothing is sent: only keep-alive can tell
    probe.wait_for(
        _is_state(topics, "kiosk-a1", Presence.OFFLINE, OfflineReason.LAST_WILL), timeout_s=15
    )
    kept = retained(probe.host, probe.port, topics.terminal("kiosk-a1", TerminalChannel.STATE))
    assert _state(kept).reason is OfflineReason.LAST_WILL


def test_killed_process_ends_in_last_will(
    mosquitto: RunningBroker, probe: Probe, topic_root: str, tmp_path: Path
) -> None:
    topics = Topics(topic_root)
    probe.subscribe(topics.terminal("kiosk-k9", TerminalChannel.STATE))
    script = tmp_path / "terminal.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import time
            from kiosk_terminal.agent import AgentOptions, TerminalAgent
            agent = TerminalAgent(AgentOptions(terminal_id="kiosk-k9", host="{mosquitto.host}",
                port={mosquitto.port}, topic_root="{topic_root}", keepalive_s=30))
            agent.start()
            time.sleep(60)
            """
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], cwd=Path.cwd())
    try:
        probe.wait_for(_is_state(topics, "kiosk-k9", Presence.ONLINE), timeout_s=20)
        os.kill(proc.pid, signal.SIGKILL)
        probe.wait_for(
            _is_state(topics, "kiosk-k9", Presence.OFFLINE, OfflineReason.LAST_WILL), timeout_s=10
        )
    finally:
        proc.kill()
        proc.wait()


def test_telemetry_flows_at_the_interval(
    agent: TerminalAgent, probe: Probe, topic_root: str
) -> None:
    topics = Topics(topic_root)
    topic = topics.terminal("kiosk-a1", TerminalChannel.TELEMETRY)
    probe.subscribe(topic)
    first = probe.wait_for(lambda m: m.topic == topic)
    t1 = decode(Telemetry, first.payload)
    assert isinstance(t1, Telemetry)
    second = probe.wait_for(lambda m: m.topic == topic and m is not first)
    t2 = decode(Telemetry, second.payload)
    assert isinstance(t2, Telemetry)
    assert t2.seq == t1.seq + 1
    assert t1.interval_s == 1.0
    assert t1.devices[DeviceKind.PRINTER].reason == "paper near end"
    assert t1.outbox_pending == 2


def _command(name: CommandName, seconds: float = 30, **args: str) -> Command:
    now = utcnow()
    return Command(
        name=name,
        args=dict(args),
        issued_at=now - timedelta(seconds=1),
        deadline=now + timedelta(seconds=seconds),
        issued_by="test",
    )


def _acks(probe: Probe, topic: str, command: Command, final: AckStatus) -> list[CommandAck]:
    probe.wait_for(
        lambda m: (
            m.topic == topic
            and (a := decode(CommandAck, m.payload)) is not None
            and isinstance(a, CommandAck)
            and a.command_id == command.command_id
            and a.status is final
        )
    )
    found = []
    for m in probe.messages:
        ack = decode(CommandAck, m.payload) if m.topic == topic else None
        if isinstance(ack, CommandAck) and ack.command_id == command.command_id:
            found.append(ack)
    return found


def test_commands_are_acknowledged_with_their_outcome(
    agent: TerminalAgent, probe: Probe, topic_root: str
) -> None:
    topics = Topics(topic_root)
    cmd_topic = topics.terminal("kiosk-a1", TerminalChannel.CMD)
    ack_topic = topics.terminal("kiosk-a1", TerminalChannel.CMD_ACK)
    probe.subscribe(ack_topic)

    ping = _command(CommandName.PING)
    probe.publish(cmd_topic, encode(ping))
    acks = _acks(probe, ack_topic, ping, AckStatus.SUCCEEDED)
    assert [a.status for a in acks] == [AckStatus.ACCEPTED, AckStatus.SUCCEEDED]
    assert acks[-1].result["boot_id"] == agent.boot_id

    now = utcnow()
    late = Command(
        name=CommandName.PING,
        issued_at=now - timedelta(seconds=60),
        deadline=now - timedelta(seconds=30),
        issued_by="test",
    )
    probe.publish(cmd_topic, encode(late))
    assert [a.status for a in _acks(probe, ack_topic, late, AckStatus.EXPIRED)] == [
        AckStatus.EXPIRED
    ]

    reboot = _command(CommandName.REBOOT)  # no handler registered for it here
    probe.publish(cmd_topic, encode(reboot))
    assert _acks(probe, ack_topic, reboot, AckStatus.REJECTED)[-1].detail == "not supported here"

    jammed = _command(CommandName.PRINT_TEST)
    probe.publish(cmd_topic, encode(jammed))
    failed = _acks(probe, ack_topic, jammed, AckStatus.FAILED)[-1]
    assert failed.detail is not None
    assert "printer jammed" in failed.detail

    bogus = _command(CommandName.PING)
    raw = bogus.model_dump(mode="json")
    raw["name"] = "format_disk"
    probe.publish(cmd_topic, json.dumps(raw).encode())
    rejected = _acks(probe, ack_topic, bogus, AckStatus.REJECTED)[-1]
    assert rejected.detail is not None
    assert "name" in rejected.detail


def test_retained_config_is_applied_and_reported(
    options: AgentOptions, probe: Probe, topic_root: str, tmp_path: Path
) -> None:
    topics = Topics(topic_root)
    config = TerminalConfig(
        config_version=7,
        issued_by="test",
        settings=TerminalSettings(telemetry_interval_s=2, log_level="WARNING"),
    )
    probe.publish(topics.terminal("kiosk-a1", TerminalChannel.CONFIG), encode(config), retain=True)
    probe.subscribe(topics.terminal_subtree("kiosk-a1"))
    stored = tmp_path / "config.json"
    a = TerminalAgent(
        AgentOptions(
            terminal_id=options.terminal_id,
            host=options.host,
            port=options.port,
            topic_root=topic_root,
            config_path=stored,
        )
    )
    seen: list[int] = []
    a.on_config.append(lambda c: seen.append(c.config_version))
    a.start()
    try:
        state_topic = topics.terminal("kiosk-a1", TerminalChannel.STATE)
        probe.wait_for(lambda m: m.topic == state_topic and _state(m).config_version == 7)
        tel_topic = topics.terminal("kiosk-a1", TerminalChannel.TELEMETRY)
        tel = probe.wait_for(
            lambda m: (
                m.topic == tel_topic
                and isinstance(t := decode(Telemetry, m.payload), Telemetry)
                and t.config_version == 7
            )
        )
        decoded = decode(Telemetry, tel.payload)
        assert isinstance(decoded, Telemetry)
        assert decoded.interval_s == 2
        assert seen == [7]
        assert a.settings.log_level == "WARNING"
    finally:
        a.stop()
    # A restart starts from the configuration it applied last, before any broker contact.
    again = TerminalAgent(AgentOptions(terminal_id="kiosk-a1", config_path=stored))
    assert again.config_version == 7
