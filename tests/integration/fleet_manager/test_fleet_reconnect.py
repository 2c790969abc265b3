"""A broker restart: the terminal agent and the fleet ingest both come back by themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from central_broker.runner import start_loopback_broker
from sijill.ports import free_port
from tests.integration.fleet_manager.fleet_helpers import (
    fleet_settings,
    running_fleet,
    start_terminal,
    wait_until,
)

pytestmark = pytest.mark.integration


def test_everyone_reconnects_after_a_broker_restart(topic_root: str, tmp_path: Path) -> None:
    port = free_port()
    broker = start_loopback_broker(tmp_path / "b", port)
    try:
        settings = fleet_settings(broker, topic_root, tmp_path)
        with running_fleet(settings) as (client, service):
            agent = start_terminal(broker, topic_root, "kiosk-r1")
            wait_until(
                lambda: client.get("/api/terminals/kiosk-r1").json().get("status") == "online"
            )
            first_boot = agent.boot_id
            broker.stop()
            wait_until(lambda: not client.get("/healthz").json()["broker_connected"])
            broker = start_loopback_broker(tmp_path / "b", port)
            wait_until(lambda: client.get("/healthz").json()["broker_connected"], timeout_s=40)
            assert agent.wait_connected(40)
            # Back online, same boot: the agent republished its state on reconnecting.
            term = wait_until(
                lambda: (
                    (t := client.get("/api/terminals/kiosk-r1").json())["status"] == "online" and t
                ),
                timeout_s=20,
            )
            assert agent.boot_id == first_boot
            assert term["last_seen"] is not None
            assert service.runtime.counters.dropped.total() == 0
            agent.stop()
    finally:
        broker.stop()
