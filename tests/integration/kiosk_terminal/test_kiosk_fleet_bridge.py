"""The kiosk plugged into the terminal agent, against a real Mosquitto."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from paho.mqtt.client import Client, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion

from kiosk_terminal.agent import AgentOptions
from kiosk_terminal.runtime import KioskRuntime, build_runtime
from kiosk_terminal.services.fleet import FleetBridge
from kiosk_terminal.settings import KioskSettings
from protocol.codec import decode, encode
from protocol.health import DeviceKind, HealthState, Scalar
from protocol.messages import (
    AckStatus,
    Command,
    CommandAck,
    CommandName,
    Event,
    EventKind,
    Presence,
    Telemetry,
    TerminalConfig,
    TerminalSettings,
    TerminalState,
    utcnow,
)
from protocol.topics import TerminalChannel, Topics

pytestmark = pytest.mark.integration
TERMINAL = "mk07-k09"


class Listener:
    def __init__(self, host: str, port: int, topics: list[str]) -> None:
        self.messages: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.client = Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{time.time_ns()}")
        self.client.on_message = self._got
        self.client.connect(host, port)
        for topic in topics:
            self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def _got(self, _c: Any, _u: Any, msg: MQTTMessage) -> None:
        self.messages.put((msg.topic, bytes(msg.payload)))

    def wait(self, topic: str, accept: Callable[[bytes], bool], timeout: float = 10.0) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got_topic, payload = self.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            if got_topic == topic and accept(payload):
                return payload
        raise AssertionError(f"nothing acceptable on {topic}")

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


@pytest.fixture
def kiosk(tmp_path: Path, mosquitto: Any, topic_root: str) -> Iterator[tuple[KioskRuntime, Any]]:
    settings = KioskSettings(data_dir=tmp_path, terminal_id=TERMINAL, speech=False)
    runtime = build_runtime(settings, simulated=True)
    options = AgentOptions(
        terminal_id=TERMINAL,
        office="MK07",
        host=mosquitto.host,
        port=mosquitto.port,
        topic_root=topic_root,
        telemetry_interval_s=1.0,
        keepalive_s=5,
    )
    bridge = FleetBridge(runtime, options, run_on_ui=lambda fn: fn(), restart=None)
    runtime.closers.append(bridge.stop)
    yield runtime, bridge
    runtime.close()


def test_telemetry_commands_events_and_clean_offline(
    kiosk: tuple[KioskRuntime, FleetBridge], mosquitto: Any, topic_root: str
) -> None:
    runtime, bridge = kiosk
    topics = Topics(topic_root)

    def topic(channel: TerminalChannel) -> str:
        return topics.terminal(TERMINAL, channel)

    probe = Listener(
        mosquitto.host,
        mosquitto.port,
        [topic(c) for c in (TerminalChannel.TELEMETRY, TerminalChannel.CMD_ACK,
                            TerminalChannel.EVENT, TerminalChannel.STATE)],
    )  # fmt: skip
    try:
        bridge.start()
        assert bridge.agent.wait_connected(10)

        def telemetry_ok(raw: bytes) -> bool:
            t = decode(Telemetry, raw)
            return isinstance(t, Telemetry) and DeviceKind.PRINTER in t.devices

        raw = probe.wait(topic(TerminalChannel.TELEMETRY), telemetry_ok)
        telemetry = decode(Telemetry, raw)
        assert isinstance(telemetry, Telemetry)
        assert telemetry.devices[DeviceKind.PRINTER].state is HealthState.OK
        assert telemetry.outbox_pending == 0

        paper = runtime.simulated_paper
        assert paper is not None
        command = Command(
            name=CommandName.PRINT_TEST,
            deadline=utcnow() + timedelta(seconds=30),
            issued_by="operator",
        )
        bridge.agent.client.publish(topic(TerminalChannel.CMD), encode(command), qos=1)

        def final_ack(raw: bytes) -> bool:
            ack = decode(CommandAck, raw)
            return isinstance(ack, CommandAck) and ack.status is not AckStatus.ACCEPTED

        ack = decode(CommandAck, probe.wait(topic(TerminalChannel.CMD_ACK), final_ack))
        assert isinstance(ack, CommandAck)
        assert ack.status is AckStatus.SUCCEEDED
        assert paper.cuts == 1

        maintenance = Command(
            name=CommandName.ENTER_MAINTENANCE,
            deadline=utcnow() + timedelta(seconds=30),
            issued_by="operator",
        )
        bridge.agent.client.publish(topic(TerminalChannel.CMD), encode(maintenance), qos=1)
        probe.wait(topic(TerminalChannel.CMD_ACK), final_ack)
        assert runtime.session.maintenance
        assert runtime.session.out_of_service

        paper.load_paper(0)
        runtime.worker_step()

        def paper_out(raw: bytes) -> bool:
            event = decode(Event, raw)
            return isinstance(event, Event) and event.kind is EventKind.PAPER_OUT

        probe.wait(topic(TerminalChannel.EVENT), paper_out)

        runtime.close()

        def offline(raw: bytes) -> bool:
            state = decode(TerminalState, raw)
            return isinstance(state, TerminalState) and state.presence is Presence.OFFLINE

        probe.wait(topic(TerminalChannel.STATE), offline)
    finally:
        probe.close()


def test_message_of_the_day_from_config_and_command(
    kiosk: tuple[KioskRuntime, FleetBridge], mosquitto: Any, topic_root: str
) -> None:
    runtime, bridge = kiosk
    topics = Topics(topic_root)
    ack_topic = topics.terminal(TERMINAL, TerminalChannel.CMD_ACK)
    probe = Listener(mosquitto.host, mosquitto.port, [ack_topic])

    def final_ack(command: Command) -> CommandAck:
        def accept(raw: bytes) -> bool:
            ack = decode(CommandAck, raw)
            return (
                isinstance(ack, CommandAck)
                and ack.command_id == command.command_id
                and ack.status is not AckStatus.ACCEPTED
            )

        bridge.agent.client.publish(topics.terminal(TERMINAL, TerminalChannel.CMD),
                                    encode(command), qos=1)  # fmt: skip
        ack = decode(CommandAck, probe.wait(ack_topic, accept))
        assert isinstance(ack, CommandAck)
        return ack

    def set_message(args: dict[str, Scalar]) -> Command:
        return Command(
            name=CommandName.SET_MESSAGE,
            args=args,
            deadline=utcnow() + timedelta(seconds=30),
            issued_by="operator",
        )

    try:
        bridge.start()
        assert bridge.agent.wait_connected(10)
        # The retained configuration carries the standing message.
        config = TerminalConfig(
            config_version=3,
            issued_by="operator",
            settings=TerminalSettings(
                message_ar="المكتب مغلق يوم الجمعة بعد الزوال",
                message_fr="Bureau fermé vendredi après-midi",
            ),
        )
        publisher = Client(CallbackAPIVersion.VERSION2, client_id=f"cfg-{time.time_ns()}")
        publisher.connect(mosquitto.host, mosquitto.port)
        publisher.loop_start()
        publisher.publish(topics.terminal(TERMINAL, TerminalChannel.CONFIG), encode(config),
                        qos=1, retain=True).wait_for_publish(5)  # fmt: skip
        publisher.loop_stop()
        publisher.disconnect()
        deadline = time.monotonic() + 10
        while runtime.session.message_of_the_day is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.session.message_of_the_day == (
            "المكتب مغلق يوم الجمعة بعد الزوال\nBureau fermé vendredi après-midi"
        )

        # The command replaces it, in French only, and is acknowledged.
        ack = final_ack(set_message({"fr": "Guichet 2 fermé aujourd'hui"}))
        assert ack.status is AckStatus.SUCCEEDED
        assert ack.result == {"shown": True}
        assert runtime.session.message_of_the_day == "Guichet 2 fermé aujourd'hui"

        # A text too long or of the wrong type is refused with a reason; the message stays.
        ack = final_ack(set_message({"ar": "ا" * 161}))
        assert ack.status is AckStatus.FAILED
        assert ack.detail is not None
        assert "ar" in ack.detail
        ack = final_ack(set_message({"fr": 3}))
        assert ack.status is AckStatus.FAILED
        ack = final_ack(set_message({"de": "Hallo"}))
        assert ack.status is AckStatus.FAILED
        assert runtime.session.message_of_the_day == "Guichet 2 fermé aujourd'hui"

        # Both texts empty clears it.
        ack = final_ack(set_message({"ar": "", "fr": "  "}))
        assert ack.status is AckStatus.SUCCEEDED
        assert ack.result == {"shown": False}
        assert runtime.session.message_of_the_day is None
    finally:
        probe.close()
