"""The real services the tests rely on answer: PostgreSQL and Mosquitto."""

from __future__ import annotations

import queue

import paho.mqtt.client as mqtt
import pytest
import sqlalchemy as sa
from paho.mqtt.enums import CallbackAPIVersion

from central_broker.runner import RunningBroker

pytestmark = pytest.mark.integration


def test_postgres_throwaway_database(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text("select current_database()"))
            .scalar_one()
            .startswith("sijill_test_")
        )
    engine.dispose()


def _round_trip(host: str, port: int, topic: str) -> bytes:
    """Publish a retained QoS 1 message, then read it back from a fresh subscriber."""
    received: queue.Queue[bytes] = queue.Queue()
    pub = mqtt.Client(CallbackAPIVersion.VERSION2)
    pub.connect(host, port)
    pub.loop_start()
    pub.publish(topic, b"hello", qos=1, retain=True).wait_for_publish(timeout=10)
    sub = mqtt.Client(CallbackAPIVersion.VERSION2)
    sub.on_message = lambda _c, _u, msg: received.put(bytes(msg.payload))
    sub.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
    sub.connect(host, port)
    sub.loop_start()
    try:
        return received.get(timeout=10)
    finally:
        pub.publish(topic, b"", qos=1, retain=True).wait_for_publish(timeout=10)
        for client in (pub, sub):
            client.loop_stop()
            client.disconnect()


def test_own_mosquitto_round_trip(mosquitto: RunningBroker, topic_root: str) -> None:
    assert _round_trip(mosquitto.host, mosquitto.port, f"{topic_root}/probe") == b"hello"
    config = mosquitto.config_path.read_text()
    assert "set_tcp_nodelay true" in config
    assert f"listener {mosquitto.port} 127.0.0.1" in config


def test_machine_mosquitto_round_trip(topic_root: str) -> None:
    # The machine's own broker (started by ./run test when down), under a unique root.
    assert _round_trip("127.0.0.1", 1883, f"{topic_root}/probe") == b"hello"
