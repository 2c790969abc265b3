"""The same fleet manager on PostgreSQL (production's database)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from central_broker.runner import RunningBroker
from kiosk_terminal.agent import HealthSnapshot
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import EventKind
from tests.integration.fleet_manager.fleet_helpers import (
    fleet_settings,
    kill,
    running_fleet,
    start_terminal,
    wait_until,
)
from tests.pg_databases import throwaway_database

pytestmark = pytest.mark.integration


def test_status_alerts_commands_and_config_on_postgres(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path, postgres_admin_url: str
) -> None:
    with throwaway_database(postgres_admin_url, "sijill_fleet") as url:
        _scenario(mosquitto, topic_root, tmp_path, url)


def _scenario(mosquitto: RunningBroker, topic_root: str, tmp_path: Path, url: str) -> None:
    settings = fleet_settings(mosquitto, topic_root, tmp_path, database_url=url)
    assert not (tmp_path / "fleet.db").exists()

    def paper_out() -> HealthSnapshot:
        return HealthSnapshot(devices={DeviceKind.PRINTER: DeviceHealth.error("paper out")})

    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-pg1", health=paper_out)
        wait_until(lambda: client.get("/api/terminals/kiosk-pg1").status_code == 200)
        wait_until(lambda: client.get("/api/terminals/kiosk-pg1").json()["status"] == "degraded")
        wait_until(
            lambda: [
                a for a in client.get("/api/alerts").json()["items"] if a["rule"] == "paper_out"
            ]
        )
        sent = client.post("/api/terminals/kiosk-pg1/commands", json={"name": "ping"}).json()
        wait_until(
            lambda: client.get(f"/api/commands/{sent['id']}").json()["status"] == "succeeded"
        )
        version = client.post(
            "/api/config",
            json={
                "scope": "terminal",
                "scope_id": "kiosk-pg1",
                "overrides": {"log_level": "ERROR"},
            },
        ).json()["version"]
        wait_until(
            lambda: client.get("/api/terminals/kiosk-pg1").json()["config_version"] == version
        )
        history = client.get("/api/terminals/kiosk-pg1/history").json()
        assert history
        assert history[-1]["ts"].endswith(("+00:00", "Z"))
        # Kiosk usage: counted per local day as events are stored (an upsert twice over).
        for kind in (EventKind.REQUEST_SUBMITTED, EventKind.RECEIPT_PRINTED):
            agent.publish_event(kind)
            time.sleep(1.2)  # lands in a later flush: the day row is updated, not inserted
        agent.publish_event(EventKind.REQUEST_SUBMITTED)
        today = datetime.now(ZoneInfo(settings.office_timezone)).date().isoformat()
        usage_url = f"/api/v1/usage?since={today}&until={today}"

        def used() -> dict[str, Any] | None:
            offices = client.get(usage_url).json()["offices"]
            return offices[0] if offices and offices[0]["requests"] == 2 else None

        office = wait_until(used)
        assert (office["office"], office["receipts"], office["faults"]) == ("MK01", 1, 0)
        assert office["terminals"][0]["terminal_id"] == "kiosk-pg1"
        assert office["availability"] > 0
        kill(agent)
        wait_until(lambda: client.get("/api/terminals/kiosk-pg1").json()["reason"] == "last_will")
    assert not (tmp_path / "fleet.db").exists()
