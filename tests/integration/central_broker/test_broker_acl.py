"""The production ACL on a real Mosquitto: a terminal stays inside its own subtree."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from paho.mqtt.client import Client, ConnectFlags, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from central_broker.config import BrokerConfig, Listener, fleet_acl
from central_broker.passwords import write_password_file
from central_broker.runner import RunningBroker, start_broker
from sijill.ports import free_port

pytestmark = pytest.mark.integration

PASSWORDS = {"fleet": "fleet-secret", "kiosk-a": "secret-a", "kiosk-b": "secret-b"}


class User:
    def __init__(self, port: int, name: str | None, password: str | None) -> None:
        self.received: list[str] = []
        self.refused: ReasonCode | None = None
        self.ready = threading.Event()
        self.client = Client(CallbackAPIVersion.VERSION2, client_id=f"{name}-{time.time_ns()}")
        if name:
            self.client.username_pw_set(name, password)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()

    def _on_connect(
        self, _c: Client, _u: Any, _f: ConnectFlags, reason: ReasonCode, _p: Properties | None
    ) -> None:
        if reason.is_failure:
            self.refused = reason
        self.ready.set()

    def _on_message(self, _c: Client, _u: Any, msg: MQTTMessage) -> None:
        self.received.append(msg.topic)

    def subscribe(self, *topics: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *_a: done.set()
        self.client.subscribe([(t, 1) for t in topics])
        assert done.wait(10)

    def publish(self, topic: str) -> None:
        self.client.publish(topic, b"{}", qos=1).wait_for_publish(10)

    def wait_for(self, topic: str) -> None:
        end = time.monotonic() + 10
        while topic not in self.received:
            assert time.monotonic() < end, f"{topic} never arrived"
            time.sleep(0.02)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def secured(tmp_path: Path, topic_root: str) -> Iterator[RunningBroker]:
    acl = tmp_path / "acl"
    acl.write_text(fleet_acl(("fleet",), root=topic_root))
    passwords = write_password_file(tmp_path / "passwd", PASSWORDS)
    config = BrokerConfig(
        listeners=(Listener(port=free_port()),),
        data_dir=tmp_path / "data",
        allow_anonymous=False,
        password_file=passwords,
        acl_file=acl,
    )
    broker = start_broker(config, tmp_path)
    try:
        yield broker
    finally:
        broker.stop()


def test_password_file_refuses_strangers(secured: RunningBroker) -> None:
    for name, password in ((None, None), ("kiosk-a", "wrong"), ("mallory", "x")):
        user = User(secured.port, name, password)
        assert user.ready.wait(10)
        assert user.refused is not None, name
        user.close()


def test_terminal_cannot_publish_under_another_id(secured: RunningBroker, topic_root: str) -> None:
    fleet = User(secured.port, "fleet", PASSWORDS["fleet"])
    a = User(secured.port, "kiosk-a", PASSWORDS["kiosk-a"])
    try:
        fleet.subscribe(f"{topic_root}/#")
        for channel in ("state", "telemetry", "event", "cmd/ack"):
            a.publish(f"{topic_root}/terminal/kiosk-b/{channel}")
        a.publish(f"{topic_root}/terminal/kiosk-a/cmd")  # its own commands: read only
        a.publish(f"{topic_root}/terminal/kiosk-a/config")
        a.publish(f"{topic_root}/terminal/kiosk-a/telemetry")  # allowed, and sent last
        fleet.wait_for(f"{topic_root}/terminal/kiosk-a/telemetry")
        assert fleet.received == [f"{topic_root}/terminal/kiosk-a/telemetry"]
    finally:
        fleet.close()
        a.close()


def test_terminal_cannot_read_another_terminals_commands(
    secured: RunningBroker, topic_root: str
) -> None:
    fleet = User(secured.port, "fleet", PASSWORDS["fleet"])
    a = User(secured.port, "kiosk-a", PASSWORDS["kiosk-a"])
    b = User(secured.port, "kiosk-b", PASSWORDS["kiosk-b"])
    try:
        a.subscribe(f"{topic_root}/terminal/kiosk-b/cmd", f"{topic_root}/#")
        b.subscribe(f"{topic_root}/terminal/kiosk-b/cmd")
        fleet.publish(f"{topic_root}/terminal/kiosk-b/cmd")
        fleet.publish(f"{topic_root}/terminal/kiosk-b/config")
        b.wait_for(f"{topic_root}/terminal/kiosk-b/cmd")
        fleet.publish(f"{topic_root}/terminal/kiosk-a/cmd")
        a.wait_for(f"{topic_root}/terminal/kiosk-a/cmd")
        assert a.received == [f"{topic_root}/terminal/kiosk-a/cmd"]
    finally:
        for user in (fleet, a, b):
            user.close()
