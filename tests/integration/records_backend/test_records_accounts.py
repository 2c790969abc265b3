"""Accounts: login, signed tokens, lock-out, sessions, role and office refusals."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi.testclient import TestClient
from sqlalchemy import select

from records_backend.db.models import AuditEntry
from records_backend.domain.roles import Role
from tests.integration.records_backend.records_helpers import Staff

pytestmark = pytest.mark.integration


def test_login_gives_a_token_the_public_key_verifies(client: TestClient, staff: Staff) -> None:
    headers = staff.make("amina", [Role.CLERK], ["MK03"])
    token = headers["Authorization"].split()[1]
    pem = client.get("/api/v1/auth/public-key").json()
    key = load_pem_public_key(pem["pem"].encode())
    assert isinstance(key, Ed25519PublicKey)
    claims = jwt.decode(
        token,
        key,
        algorithms=["EdDSA"],
        audience=pem["audience"],
        issuer=pem["issuer"],
    )
    assert claims["preferred_username"] == "amina"
    assert claims["roles"] == ["clerk"]
    assert claims["offices"] == ["MK03"]
    assert claims["name"] == "Amina"
    assert jwt.get_unverified_header(token)["kid"] == pem["kid"]
    raw = client.get("/api/v1/auth/public-key.pem")
    assert raw.text == pem["pem"]
    assert raw.headers["content-type"].startswith("application/x-pem-file")
    jwks = client.get("/api/v1/auth/jwks").json()
    assert jwks["keys"][0]["kid"] == pem["kid"]
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert "requests.deliver" in me["permissions"]


def test_wrong_password_then_lockout(client: TestClient, staff: Staff) -> None:
    staff.make("omar", [Role.OFFICER], ["MK01"])
    for _ in range(3):  # max_failed_logins is 3 in the test settings
        r = client.post("/api/v1/auth/login", json={"username": "omar", "password": "nope-nope-1"})
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "bad_credentials"
    r = client.post("/api/v1/auth/login", json={"username": "omar", "password": "correct-horse-42"})
    assert r.status_code == 423
    body = r.json()
    assert body["code"] == "account_locked"
    assert body["messages"]["ar"]
    assert body["messages"]["fr"]
    assert int(r.headers["retry-after"]) > 0


def test_unknown_user_is_refused_like_a_wrong_password(client: TestClient) -> None:
    r = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "whatever-123"})
    assert r.status_code == 401
    assert r.json()["code"] == "bad_credentials"


def test_logout_ends_the_session(client: TestClient, staff: Staff) -> None:
    headers = staff.make("salma", [Role.CLERK], ["MK02"])
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == "session_expired"


def test_tampered_or_missing_token_is_refused(client: TestClient, staff: Staff) -> None:
    headers = staff.make("karim", [Role.CLERK], ["MK02"])
    token = headers["Authorization"].split()[1]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code
        == 401
    )
    assert client.get("/api/v1/auth/me").json()["code"] == "not_authenticated"


def test_only_central_admin_creates_accounts(client: TestClient, staff: Staff) -> None:
    clerk = staff.make("clerk.a", [Role.CLERK], ["MK01"])
    admin = staff.make("admin", [Role.CENTRAL_ADMIN], all_offices=True)
    body = {
        "username": "new.officer",
        "full_name": "Nadia Benali",
        "password": "Str0ng-pass-word",
        "roles": ["officer"],
        "offices": ["MK05"],
    }
    r = client.post("/api/v1/users", headers=clerk, json=body)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden_role"
    r = client.post("/api/v1/users", headers=admin, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["offices"] == ["MK05"]
    again = client.post("/api/v1/users", headers=admin, json=body)
    assert again.json()["code"] == "username_taken"
    weak = client.post(
        "/api/v1/users", headers=admin, json={**body, "username": "weak.one", "password": "short"}
    )
    assert weak.json()["code"] == "weak_password"
    bad = client.post(
        "/api/v1/users", headers=admin, json={**body, "username": "x", "roles": ["king"]}
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"username", "roles.0"}


def test_terminal_token_authenticates_as_the_terminal(client: TestClient, staff: Staff) -> None:
    tech = staff.make("tech", [Role.TECHNICIAN], ["MK04"])
    r = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk04-01", "office": "MK04"}
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me == {
        "username": "kiosk-mk04-01",
        "kind": "terminal",
        "roles": [],
        "permissions": ["acts.find", "requests.submit"],
    }
    other = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk05-01", "office": "MK05"}
    )
    assert other.status_code == 403
    assert other.json()["code"] == "forbidden_office"
    again = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk04-01", "office": "MK04"}
    )
    assert (again.status_code, again.json()["code"]) == (409, "terminal_exists")


def test_a_kiosk_token_is_revoked_and_rotated_by_its_office_only(
    client: TestClient, staff: Staff
) -> None:
    tech = staff.make("tech", [Role.TECHNICIAN], ["MK04"])
    stranger = staff.make("tech2", [Role.TECHNICIAN], ["MK05"])
    first = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk04-02", "office": "MK04"}
    ).json()["token"]

    def me(token: str) -> int:
        answer = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        return int(answer.status_code)

    assert me(first) == 200
    refused = client.post("/api/v1/terminals/kiosk-mk04-02/revoke", headers=stranger)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden_office")
    assert me(first) == 200
    for _ in range(2):  # idempotent: a second revocation changes nothing, audits nothing
        r = client.post("/api/v1/terminals/kiosk-mk04-02/revoke", headers=tech)
        assert r.json() == {"terminal_id": "kiosk-mk04-02", "office": "MK04", "active": False}
    assert me(first) == 401
    rotated = client.post("/api/v1/terminals/kiosk-mk04-02/token", headers=tech)
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["token"]
    assert second != first
    assert (me(first), me(second)) == (401, 200)
    missing = client.post("/api/v1/terminals/kiosk-mk04-99/revoke", headers=tech)
    assert missing.status_code == 404
    with client.app.state.records.sessions() as session:  # type: ignore[attr-defined]
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == "kiosk-mk04-02")
        ).all()
    assert actions == ["terminal.create", "terminal.revoke", "terminal.token_rotate"]


def test_refresh_renews_the_token_of_an_open_session(client: TestClient, staff: Staff) -> None:
    headers = staff.make("hafsa", [Role.OFFICER], ["MK06"])
    r = client.post("/api/v1/auth/refresh", headers=headers)
    assert r.status_code == 200, r.text
    fresh = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=fresh).json()["username"] == "hafsa"
    client.post("/api/v1/auth/logout", headers=fresh)
    assert client.post("/api/v1/auth/refresh", headers=headers).json()["code"] == "session_expired"
