"""Alerts (with webhook and e-mail), commands and configuration, end to end."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from central_broker.runner import RunningBroker
from kiosk_terminal.agent import HealthSnapshot
from protocol.health import DeviceHealth, DeviceKind
from sijill.ports import free_port
from tests.integration.fleet_manager.fleet_helpers import (
    fleet_settings,
    kill,
    running_fleet,
    start_terminal,
    wait_until,
)

pytestmark = pytest.mark.integration


@dataclass
class Sinks:
    hooks: list[dict[str, Any]] = field(default_factory=list)
    mails: list[bytes] = field(default_factory=list)
    webhook_url: str = ""
    smtp_port: int = 0


class _Mailbox:
    def __init__(self, sinks: Sinks) -> None:
        self.sinks = sinks

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.sinks.mails.append(envelope.content)
        return "250 OK"


@pytest.fixture
def sinks() -> Iterator[Sinks]:
    s = Sinks()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            s.hooks.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    s.webhook_url = f"http://127.0.0.1:{server.server_port}/hook"
    s.smtp_port = free_port()
    controller = Controller(_Mailbox(s), hostname="127.0.0.1", port=s.smtp_port)
    controller.start()
    try:
        yield s
    finally:
        controller.stop()
        server.shutdown()


class Printer:
    """A health provider the test can change while the agent runs."""

    def __init__(self) -> None:
        self.health = DeviceHealth.ok()

    def __call__(self) -> HealthSnapshot:
        return HealthSnapshot(
            devices={
                DeviceKind.PRINTER: self.health,
                DeviceKind.CARD_READER: DeviceHealth.ok(),
            },
            disk_free_pct=50.0,
        )


def _alerts(client: TestClient, state: str = "open,acknowledged") -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = client.get("/api/alerts", params={"state": state}).json()[
        "items"
    ]
    return result


def test_alert_raised_delivered_and_resolved(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path, sinks: Sinks
) -> None:
    settings = fleet_settings(
        mosquitto,
        topic_root,
        tmp_path,
        webhook_url=sinks.webhook_url,
        smtp_host="127.0.0.1",
        smtp_port=sinks.smtp_port,
        mail_to=("ops@example.org",),
        escalation_mail_to=("chief@example.org",),
        alert_escalate_after_s=1.0,
    )
    printer = Printer()
    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-a7", health=printer)
        wait_until(lambda: client.get("/api/terminals/kiosk-a7").status_code == 200)
        printer.health = DeviceHealth.error("paper out")
        alert = wait_until(lambda: [a for a in _alerts(client) if a["rule"] == "paper_out"])[0]
        assert alert["terminal_id"] == "kiosk-a7"
        assert alert["office"] == "MK01"
        assert alert["severity"] == "critical"
        term = client.get("/api/terminals/kiosk-a7").json()
        assert term["status"] == "degraded"
        assert "paper out" in term["reason"]
        # Unacknowledged past the escalation delay: escalated, and the chief is mailed.
        wait_until(lambda: any(h["kind"] == "escalated" for h in sinks.hooks), timeout_s=20)
        assert client.post(f"/api/alerts/{alert['id']}/ack").json()["state"] == "acknowledged"
        printer.health = DeviceHealth.ok()
        wait_until(lambda: not _alerts(client))
        resolved = _alerts(client, "resolved")
        assert [a["id"] for a in resolved] == [alert["id"]]
        assert resolved[0]["acknowledged_by"] == "local operator (local)"
        wait_until(lambda: [h["kind"] for h in sinks.hooks] == ["opened", "escalated", "resolved"])
        wait_until(lambda: len(sinks.mails) == 3)
        subjects = [message_from_bytes(m)["Subject"] for m in sinks.mails]
        assert subjects[0].startswith("[Sijill fleet] OPENED critical paper_out on kiosk-a7")
        assert "chief@example.org" in message_from_bytes(sinks.mails[1])["To"]
        # Offline for longer than the limit (0 s here) is an alert too.
        kill(agent)
        offline = wait_until(lambda: [a for a in _alerts(client) if a["rule"] == "offline"])
        assert offline[0]["detail"] == "offline (last_will)"
        audit = client.get("/api/audit").json()["items"]
        assert [a["action"] for a in audit] == ["alert.acknowledge"]


def test_no_flapping_within_hysteresis(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    settings = fleet_settings(
        mosquitto, topic_root, tmp_path, alert_raise_after_s=3.0, alert_clear_after_s=2.0
    )
    printer = Printer()
    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-a8", health=printer)
        wait_until(lambda: client.get("/api/terminals/kiosk-a8").status_code == 200)
        # Paper low for less than the raise delay, then fine again: no alert.
        printer.health = DeviceHealth.degraded("paper near end")
        wait_until(lambda: client.get("/api/terminals/kiosk-a8").json()["status"] == "degraded")
        printer.health = DeviceHealth.ok()
        wait_until(lambda: client.get("/api/terminals/kiosk-a8").json()["status"] == "online")
        assert _alerts(client) == []
        printer.health = DeviceHealth.degraded("paper near end")
        wait_until(lambda: [a for a in _alerts(client) if a["rule"] == "paper_low"])
        agent.stop()


def _command_done(client: TestClient, cid: str, status: str) -> dict[str, Any] | None:
    c: dict[str, Any] = client.get(f"/api/commands/{cid}").json()
    return c if c["status"] == status else None


def test_command_round_trip_and_timeout(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    settings = fleet_settings(mosquitto, topic_root, tmp_path)
    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-c1")
        wait_until(lambda: client.get("/api/terminals/kiosk-c1").status_code == 200)
        sent = client.post("/api/terminals/kiosk-c1/commands", json={"name": "ping"})
        assert sent.status_code == 202
        done = wait_until(lambda: _command_done(client, sent.json()["id"], "succeeded"))
        assert done["result"]["boot_id"] == agent.boot_id
        refused = client.post("/api/terminals/kiosk-c1/commands", json={"name": "reboot"}).json()
        assert wait_until(lambda: _command_done(client, refused["id"], "rejected"))["detail"] == (
            "not supported here"
        )
        assert (
            client.post("/api/terminals/kiosk-c1/commands", json={"name": "rm"}).status_code == 422
        )
        assert (
            client.post("/api/terminals/nobody/commands", json={"name": "ping"}).status_code == 404
        )
        kill(agent)
        lost = client.post(
            "/api/terminals/kiosk-c1/commands", json={"name": "ping", "timeout_s": 1}
        ).json()
        timed_out = wait_until(lambda: _command_done(client, lost["id"], "timed_out"), 20)
        assert timed_out["detail"] == "no outcome before the deadline"
        actions = [a["action"] for a in client.get("/api/audit").json()["items"]]
        assert actions.count("command") == 3


def test_config_by_scope_applied_and_rolled_back(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    settings = fleet_settings(mosquitto, topic_root, tmp_path)
    with running_fleet(settings) as (client, _service):
        agent = start_terminal(mosquitto, topic_root, "kiosk-f1", office="MK02")
        other = start_terminal(mosquitto, topic_root, "kiosk-f2", office="MK03")
        wait_until(lambda: client.get("/api/terminals/kiosk-f2").status_code == 200)
        wait_until(lambda: client.get("/api/terminals/kiosk-f1").status_code == 200)

        def applied(tid: str, version: int) -> bool:
            t = client.get(f"/api/terminals/{tid}").json()
            return bool(t["config_version"] == version == t["desired_config_version"])

        v1 = client.post(
            "/api/config",
            json={"scope": "office", "scope_id": "MK02", "overrides": {"telemetry_interval_s": 2}},
        ).json()["version"]
        wait_until(lambda: applied("kiosk-f1", v1))
        assert agent.telemetry_interval_s == 2
        assert other.config_version is None  # another office: untouched
        v2 = client.post(
            "/api/config",
            json={"scope": "terminal", "scope_id": "kiosk-f1", "overrides": {"log_level": "DEBUG"}},
        ).json()["version"]
        wait_until(lambda: applied("kiosk-f1", v2))
        assert agent.settings.log_level == "DEBUG"
        assert agent.telemetry_interval_s == 2  # office layer still applies
        bad = client.post(
            "/api/config", json={"scope": "fleet", "overrides": {"telemetry_interval_s": 0.1}}
        )
        assert bad.status_code == 422
        rb = client.post(f"/api/config/{v1}/rollback").json()
        assert rb["rollback_of"] == v1
        assert rb["version"] > v2
        v3 = client.post(
            "/api/config",
            json={"scope": "terminal", "scope_id": "kiosk-f1", "overrides": {}},
        ).json()["version"]
        wait_until(lambda: applied("kiosk-f1", v3))
        assert str(agent.settings.log_level) == "INFO"
        history = client.get("/api/config", params={"scope": "office", "scope_id": "MK02"}).json()[
            "items"
        ]
        assert [h["version"] for h in history] == [rb["version"], v1]
        actions = [a["action"] for a in client.get("/api/audit").json()["items"]]
        assert actions == ["config.set", "config.rollback", "config.set", "config.set"]
        agent.stop()
        other.stop()
