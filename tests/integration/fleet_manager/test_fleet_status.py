"""Fleet manager against a real Mosquitto: registry, status derivation, bad input."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from central_broker.runner import RunningBroker
from protocol.topics import TerminalChannel, Topics
from protocol.version import MAX_PAYLOAD_BYTES
from tests.integration.fleet_manager.fleet_helpers import (
    Probe,
    fleet_settings,
    kill,
    running_fleet,
    start_terminal,
    wait_until,
)

pytestmark = pytest.mark.integration


def _terminal(client: TestClient, tid: str) -> dict[str, Any] | None:
    response = client.get(f"/api/terminals/{tid}")
    return response.json() if response.status_code == 200 else None


def _status_is(client: TestClient, tid: str, status: str) -> dict[str, Any] | None:
    t = _terminal(client, tid)
    return t if t is not None and t["status"] == status else None


def test_online_then_last_will_then_back(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    settings = fleet_settings(mosquitto, topic_root, tmp_path)
    with running_fleet(settings) as (client, service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-s1")
        online = wait_until(lambda: _status_is(client, "kiosk-s1", "online"))
        assert online["office"] == "MK01"
        assert online["telemetry"]["terminal_id"] == "kiosk-s1"
        kill(agent)
        offline = wait_until(lambda: _status_is(client, "kiosk-s1", "offline"))
        assert offline["reason"] == "last_will"
        again = start_terminal(mosquitto, topic_root, "kiosk-s1")
        wait_until(lambda: _status_is(client, "kiosk-s1", "online"))
        again.stop()
        stopped = wait_until(lambda: _status_is(client, "kiosk-s1", "offline"))
        assert stopped["reason"] == "clean_shutdown"
        assert service.health()["broker_connected"]


def test_missed_heartbeats_without_last_will(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    settings = fleet_settings(mosquitto, topic_root, tmp_path)
    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-s2")
        wait_until(lambda: _status_is(client, "kiosk-s2", "online"))
        agent.telemetry_paused = True  # still connected (pings flow) but no heartbeat
        silenced = time.monotonic()
        offline = wait_until(lambda: _status_is(client, "kiosk-s2", "offline"), every_s=0.05)
        elapsed = time.monotonic() - silenced
        assert offline["reason"] == "missed_heartbeats"
        # Generous bound only (the benchmark measures the figure): 2 heartbeats + 1 s = 3 s.
        assert elapsed < 10
        agent.telemetry_paused = False
        agent.next_telemetry = 0
        wait_until(lambda: _status_is(client, "kiosk-s2", "online"))
        agent.stop()


def test_closed_outside_office_hours(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    # Office hours that are never open now: a terminal switched off is closed, no alert.
    hour = time.gmtime().tm_hour
    window = f"{(hour + 2) % 24:02d}:00-{(hour + 3) % 24:02d}:00"
    settings = fleet_settings(
        mosquitto,
        topic_root,
        tmp_path,
        office_hours=window,
        office_days="mon,tue,wed,thu,fri,sat,sun",
        office_timezone="UTC",
    )
    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-s3")
        wait_until(lambda: _status_is(client, "kiosk-s3", "online"))
        agent.stop()
        closed = wait_until(lambda: _status_is(client, "kiosk-s3", "closed"))
        assert closed["reason"] == "clean_shutdown"
        time.sleep(0.5)
        assert client.get("/api/alerts").json()["items"] == []


def test_bad_messages_are_counted_and_dropped(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path, probe: Probe
) -> None:
    topics = Topics(topic_root)
    settings = fleet_settings(mosquitto, topic_root, tmp_path)
    with running_fleet(settings) as (client, service):
        tel = topics.terminal("kiosk-s4", TerminalChannel.TELEMETRY)
        probe.publish(tel, b"not json at all")
        probe.publish(tel, b"{" + b" " * (MAX_PAYLOAD_BYTES + 10) + b"}")
        probe.publish(tel, b'{"v": 9, "terminal_id": "kiosk-s4"}')
        probe.publish(tel, b'{"v": 1, "terminal_id": "kiosk-s4"}')
        probe.publish(
            topics.terminal("kiosk-s4", TerminalChannel.STATE),
            b'{"v":1,"terminal_id":"kiosk-zz","presence":"online"}',
        )
        probe.publish(f"{topic_root}/terminal/BAD ID/telemetry", b"{}")
        wait_until(lambda: service.health()["dropped"] >= 5)
        dropped = service.runtime.counters.dropped
        assert dropped["malformed"] == 1
        assert dropped["oversized"] == 1
        assert dropped["wrong_version"] == 1
        assert dropped["invalid"] == 1
        assert dropped["id_mismatch"] == 1
        # The ingest still works after all that.
        agent = start_terminal(mosquitto, topic_root, "kiosk-s4")
        wait_until(lambda: _status_is(client, "kiosk-s4", "online"))
        metrics = client.get("/metrics").text
        assert 'sijill_fleet_messages_dropped_total{reason="oversized"} 1.0' in metrics
        assert 'sijill_fleet_terminals{status="online"} 1.0' in metrics
        assert "sijill_fleet_http_request_seconds" in metrics
        health = client.get("/healthz").json()
        assert health["status"] == "ok"
        assert health["terminals"] == 1
        agent.stop()
