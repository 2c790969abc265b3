"""The same fleet manager on PostgreSQL (production's database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from central_broker.runner import RunningBroker
from kiosk_terminal.agent import HealthSnapshot
from protocol.health import DeviceHealth, DeviceKind
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
            lambda: [a for a in client.get("/api/alerts").json() if a["rule"] == "paper_out"]
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
        kill(agent)
        wait_until(lambda: client.get("/api/terminals/kiosk-pg1").json()["reason"] == "last_will")
    assert not (tmp_path / "fleet.db").exists()
