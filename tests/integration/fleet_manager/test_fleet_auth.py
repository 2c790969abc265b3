"""Staff sign-in with the records backend's Ed25519 tokens, scoped by role and office."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from fleet_manager.app import create_app
from fleet_manager.settings import FleetSettings

pytestmark = pytest.mark.integration

KEY = Ed25519PrivateKey.generate()


def token(roles: list[str], offices: list[str], key: Ed25519PrivateKey = KEY, **extra: Any) -> str:
    claims = {
        "sub": f"u-{roles[0]}",
        "name": roles[0].replace("_", " ").title(),
        "roles": roles,
        "offices": offices,
        "exp": int(time.time()) + 600,
        "iss": "sijill-records",
        "aud": "sijill",
        **extra,
    }
    return jwt.encode(claims, key, algorithm="EdDSA")


def bearer(t: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {t}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    pem = tmp_path / "records.pub.pem"
    pem.write_bytes(
        KEY.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = FleetSettings(
        data_dir=tmp_path, ingest_enabled=False, auth_public_key_path=pem, office_hours="always"
    )
    with TestClient(create_app(settings)) as c:
        operator = bearer(token(["fleet_operator"], ["*"]))
        for tid, office in (("kiosk-m1", "MK01"), ("kiosk-m2", "MK02")):
            r = c.post("/api/terminals", json={"id": tid, "office": office}, headers=operator)
            assert r.status_code == 201, r.text
        yield c


def test_no_or_bad_token_is_refused(client: TestClient) -> None:
    assert client.get("/api/terminals").status_code == 401
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login"
    forged = token(["fleet_operator"], ["*"], key=Ed25519PrivateKey.generate())
    assert client.get("/api/terminals", headers=bearer(forged)).status_code == 401
    expired = token(["fleet_operator"], ["*"], exp=int(time.time()) - 3600)
    assert client.get("/api/terminals", headers=bearer(expired)).status_code == 401
    clerk = token(["clerk"], ["MK01"])
    assert client.get("/api/terminals", headers=bearer(clerk)).status_code == 401
    elsewhere = token(["fleet_operator"], ["*"], aud="another-service")
    assert client.get("/api/terminals", headers=bearer(elsewhere)).status_code == 401


def test_technician_sees_and_acts_only_in_its_office(client: TestClient) -> None:
    tech = bearer(token(["technician"], ["MK01"]))
    ids = [t["id"] for t in client.get("/api/terminals", headers=tech).json()["items"]]
    assert ids == ["kiosk-m1"]
    assert client.get("/api/terminals/kiosk-m2", headers=tech).status_code == 404
    # Not connected to a broker here: the command is recorded but cannot be sent.
    sent = client.post("/api/terminals/kiosk-m1/commands", json={"name": "ping"}, headers=tech)
    assert sent.status_code == 202
    assert sent.json()["status"] == "failed"
    other = client.post("/api/terminals/kiosk-m2/commands", json={"name": "ping"}, headers=tech)
    assert other.status_code == 403
    reboot = client.post("/api/terminals/kiosk-m1/commands", json={"name": "reboot"}, headers=tech)
    assert reboot.status_code == 403
    config = client.post(
        "/api/config",
        json={"scope": "office", "scope_id": "MK01", "overrides": {"log_level": "DEBUG"}},
        headers=tech,
    )
    assert config.status_code == 403
    assert client.get("/api/audit", headers=tech).status_code == 403


def test_sign_in_form_sets_a_cookie_and_scopes_the_grid(client: TestClient) -> None:
    bad = client.post("/login", data={"token": "nonsense"}, follow_redirects=False)
    assert bad.headers["location"].startswith("/login?error=")
    ok = client.post(
        "/login", data={"token": token(["fleet_operator"], ["MK02"])}, follow_redirects=False
    )
    assert ok.status_code == 303
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-office="MK02"' in page.text
    assert 'data-office="MK01"' not in page.text
    # A form post needs the page's form token.
    assert (
        client.post("/terminal/kiosk-m2/command", data={"name": "ping", "csrf": "x"}).status_code
        == 403
    )
    arabic = client.get("/?lang=ar")
    assert 'dir="rtl"' in arabic.text
    assert "نظرة عامة" in arabic.text
    audit = client.get("/api/audit").json()["items"]
    assert {a["action"] for a in audit} == {"terminal.register"}


def test_sign_in_with_a_records_backend_account(tmp_path: Path) -> None:
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    seen: list[dict[str, Any]] = []

    class RecordsBackend(BaseHTTPRequestHandler):
        """Just the two routes the fleet manager uses."""

        def do_GET(self) -> None:
            assert self.path == "/api/v1/auth/public-key.pem"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(pem)

        def do_POST(self) -> None:
            assert self.path == "/api/v1/auth/login"
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            seen.append(body)
            good = body == {"username": "tech1", "password": "right"}
            reply = {"access_token": token(["technician"], ["MK01"])} if good else {}
            self.send_response(200 if good else 401)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(reply).encode())

        def log_message(self, *_args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), RecordsBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = FleetSettings(
            data_dir=tmp_path,
            ingest_enabled=False,
            records_url=f"http://127.0.0.1:{server.server_port}",
        )
        with TestClient(create_app(settings)) as c:
            form = c.get("/login").text
            assert 'name="password"' in form
            bad = c.post(
                "/login", data={"username": "tech1", "password": "wrong"}, follow_redirects=False
            )
            assert bad.headers["location"] == "/login?error=refused"
            explained = c.get("/login?error=refused&lang=ar").text
            assert "اسم المستخدم أو كلمة المرور غير صحيحة" in explained
            # An account without TOTP leaves the code empty: nothing more is sent.
            ok = c.post(
                "/login",
                data={"username": "tech1", "password": "right", "totp_code": " ", "lang": "fr"},
                follow_redirects=False,
            )
            assert ok.headers["location"] == "/"
            assert c.get("/").status_code == 200
            assert c.get("/api/terminals").json()["items"] == []
            assert len(seen) == 2
    finally:
        server.shutdown()
