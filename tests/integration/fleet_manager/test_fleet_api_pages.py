"""The fleet API's lists come a page at a time; command arguments are checked at the edge."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fleet_manager.app import create_app
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from protocol.codec import encode
from protocol.messages import Presence, TerminalState
from protocol.topics import TerminalChannel


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = FleetSettings(data_dir=tmp_path, ingest_enabled=False, office_hours="always")
    service = FleetService.build(settings)
    runtime = service.runtime
    now = time.time()
    for i in range(25):
        tid = f"kiosk-{i:03d}"
        state = TerminalState(
            terminal_id=tid, presence=Presence.ONLINE, office="MK01" if i % 5 else "MK02"
        )
        runtime.handle(runtime.topics.terminal(tid, TerminalChannel.STATE), encode(state), now)
    runtime.flush(now)
    with TestClient(create_app(service=service)) as c:
        yield c


def _walk(client: TestClient, url: str, **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        page = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})}).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pages never ended")


def test_terminals_come_in_pages_with_a_total(client: TestClient) -> None:
    first = client.get("/api/terminals", params={"limit": 10}).json()
    assert (first["total"], first["limit"], len(first["items"])) == (25, 10, 10)
    assert first["next_cursor"] == "kiosk-009"
    ids = [t["id"] for t in _walk(client, "/api/terminals", limit=10)]
    assert ids == [f"kiosk-{i:03d}" for i in range(25)]
    mk02 = client.get("/api/terminals", params={"office": "MK02"}).json()
    assert (mk02["total"], mk02["next_cursor"]) == (5, None)
    assert client.get("/api/terminals").json()["limit"] == 200  # the default
    assert client.get("/api/terminals", params={"limit": 1001}).status_code == 422
    assert client.get("/api/terminals", params={"limit": 0}).status_code == 422


def test_commands_and_audit_come_in_pages(client: TestClient) -> None:
    for n in range(5):
        r = client.post(
            "/api/terminals/kiosk-001/commands",
            json={"name": "set_message", "args": {"fr": f"Message {n}", "ar": f"رسالة {n}"}},
        )
        assert r.status_code == 202
        assert r.json()["args"] == {"ar": f"رسالة {n}", "fr": f"Message {n}"}
    commands = _walk(client, "/api/terminals/kiosk-001/commands", limit=2)
    assert [c["args"]["fr"] for c in commands] == [f"Message {n}" for n in range(4, -1, -1)]
    page = client.get("/api/terminals/kiosk-001/commands", params={"limit": 2}).json()
    assert (page["total"], page["next_cursor"]) == (5, "2")
    audit = _walk(client, "/api/audit", limit=2)
    assert [a["detail"]["args"]["fr"] for a in audit] == [f"Message {n}" for n in range(4, -1, -1)]
    assert client.get("/api/audit", params={"cursor": "abc"}).status_code == 422
    alerts = client.get("/api/alerts").json()
    assert (alerts["items"], alerts["total"], alerts["next_cursor"]) == ([], 0, None)
    assert client.get("/api/config").json()["total"] == 0
    history = "/api/terminals/kiosk-001/history"
    assert client.get(history, params={"hours": 24 * 91}).status_code == 422


def test_command_arguments_are_checked_before_sending(client: TestClient) -> None:
    url = "/api/terminals/kiosk-002/commands"
    too_long = client.post(url, json={"name": "set_message", "args": {"fr": "x" * 161}})
    assert too_long.status_code == 422
    assert "160" in too_long.json()["detail"]
    two_lines = client.post(url, json={"name": "set_message", "args": {"ar": "سطر\nسطر"}})
    assert two_lines.status_code == 422
    stray = client.post(url, json={"name": "set_message", "args": {"en": "Hello"}})
    assert stray.status_code == 422
    assert client.post(url, json={"name": "ping", "args": {"x": 1}}).status_code == 422
    level = client.post(url, json={"name": "set_log_level", "args": {"level": "debug"}})
    assert level.json()["args"] == {"level": "DEBUG"}
    assert (
        client.post(url, json={"name": "set_log_level", "args": {"level": "LOUD"}}).status_code
        == 422
    )
    cleared = client.post(url, json={"name": "set_message", "args": {"ar": " ", "fr": None}})
    assert cleared.json()["args"] == {}  # both empty: the kiosk clears its message
    commands = client.get(url).json()["items"]
    assert [c["name"] for c in commands] == ["set_message", "set_log_level"]
