"""Fleet integration tests' tools: a listening MQTT client, polling, a running fleet
manager and terminals (a uniquely named module: conftest modules share one name)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from paho.mqtt.client import Client, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion

from central_broker.runner import RunningBroker
from fleet_manager.app import create_app
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from kiosk_terminal.agent import AgentOptions, HealthProvider, HealthSnapshot, TerminalAgent

FAST = {
    "sweep_interval_s": 0.1,
    "housekeeping_interval_s": 0.5,
    "telemetry_flush_s": 0.5,
    "history_sample_s": 0.0,
    "alert_raise_after_s": 0.0,
    "alert_clear_after_s": 1.0,
    "alert_offline_after_s": 0.0,
    "command_ack_grace_s": 0.0,
    "office_hours": "always",
}


def fleet_settings(
    broker: RunningBroker, topic_root: str, data_dir: Path, **overrides: Any
) -> FleetSettings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "mqtt_host": broker.host,
        "mqtt_port": broker.port,
        "topic_root": topic_root,
        **FAST,
        **overrides,
    }
    return FleetSettings(**values)


@contextmanager
def running_fleet(settings: FleetSettings) -> Iterator[tuple[TestClient, FleetService]]:
    service = FleetService.build(settings)
    with TestClient(create_app(service=service)) as client:
        assert service.runtime.wait_connected(10)
        yield client, service


def start_terminal(
    broker: RunningBroker,
    topic_root: str,
    terminal_id: str,
    office: str = "MK01",
    health: HealthProvider | None = None,
    interval_s: float = 1.0,
) -> TerminalAgent:
    agent = TerminalAgent(
        AgentOptions(
            terminal_id=terminal_id,
            office=office,
            host=broker.host,
            port=broker.port,
            topic_root=topic_root,
            keepalive_s=2,
            telemetry_interval_s=interval_s,
        ),
        health=health or HealthSnapshot,
    )
    agent.start()
    assert agent.wait_connected()
    return agent


def kill(agent: TerminalAgent) -> None:
    """Drop the connection without DISCONNECT, as a killed process does."""
    agent.freeze()
    sock = agent.client.socket()
    if sock is not None:
        sock.close()


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool


class Probe:
    def __init__(self, host: str, port: int) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self._new = threading.Condition(self._lock)
        self.host, self.port = host, port
        self.client = Client(CallbackAPIVersion.VERSION2, client_id="")
        self.client.on_message = self._on_message
        self.client.connect(host, port, keepalive=30)
        self.client.loop_start()

    def _on_message(self, _c: Client, _u: Any, msg: MQTTMessage) -> None:
        with self._new:
            self.messages.append(Received(msg.topic, bytes(msg.payload), bool(msg.retain)))
            self._new.notify_all()

    def subscribe(self, topic: str) -> None:
        done: queue.Queue[bool] = queue.Queue()
        self.client.on_subscribe = lambda *_args: done.put(True)
        self.client.subscribe(topic, qos=1)
        done.get(timeout=10)

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def wait_for(self, match: Callable[[Received], bool], timeout_s: float = 10.0) -> Received:
        end = time.monotonic() + timeout_s
        with self._new:
            while True:
                for message in self.messages:
                    if match(message):
                        return message
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching message within {timeout_s} s")
                self._new.wait(left)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def retained(host: str, port: int, topic: str, timeout_s: float = 10.0) -> Received:
    """What a subscriber arriving now gets for ``topic`` (live deliveries lack the flag)."""
    late = Probe(host, port)
    try:
        late.subscribe(topic)
        return late.wait_for(lambda m: m.retain and m.topic == topic, timeout_s)
    finally:
        late.close()


def wait_until(check: Callable[[], Any], timeout_s: float = 15.0, every_s: float = 0.1) -> Any:
    """Poll until ``check`` returns something truthy (bounded, to catch hangs)."""
    end = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"condition not met within {timeout_s} s (last: {value!r})")
        time.sleep(every_s)
