"""TOTP at the API's login: who must send a code, the ``amr`` mark, lock-out, and what a
token without the mark may not do."""

from __future__ import annotations

import time
from collections.abc import Callable

import jwt
import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from records_backend.audit.log import Actor
from records_backend.db.models import AuditEntry, LoginSession, User
from records_backend.db.types import utcnow
from records_backend.domain.roles import Role
from records_backend.security import second_factor
from records_backend.services import accounts
from records_backend.services.principal import Principal
from tests.integration.records_backend.records_helpers import (
    PASSWORD,
    Headers,
    Json,
    Staff,
    app_state,
    birth,
    enrol_totp,
)

pytestmark = pytest.mark.integration
LOGIN = "/api/v1/auth/login"


def _code(secret: str, step_offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + step_offset * 30)


def _password_only(client: TestClient, username: str) -> Headers:
    """A token that proved the password only: what the staff pages hold between the password
    and the TOTP code, or a token from before the mark existed."""
    state = app_state(client)
    with state.sessions.begin() as session:
        _u, _ls, claims = accounts.login(
            session, state.passwords, state.login_policy, username, PASSWORD, None
        )
    return {"Authorization": f"Bearer {state.tokens.issue(claims, utcnow())}"}


def _count(client: TestClient, model: type[AuditEntry] | type[LoginSession]) -> int:
    with app_state(client).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _problem(r: object, status: int, code: str) -> Json:
    assert getattr(r, "status_code", None) == status, getattr(r, "text", "")
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: Json = r.json()  # type: ignore[attr-defined]
    assert body["code"] == code
    assert body["messages"]["ar"]
    assert body["messages"]["fr"]
    return body


def test_officer_login_needs_a_code_and_gets_the_mark(client: TestClient, staff: Staff) -> None:
    staff.make("rachid", [Role.OFFICER], ["MK01"])  # enrols, as on the staff pages
    secret, _ = enrol_totp(app_state(client), "rachid")
    sessions = _count(client, LoginSession)
    body = _problem(
        client.post(LOGIN, json={"username": "rachid", "password": PASSWORD}), 401, "totp_required"
    )
    assert "TOTP" in body["messages"]["fr"]
    _problem(
        client.post(LOGIN, json={"username": "rachid", "password": PASSWORD, "totp_code": "12"}),
        401,
        "totp_invalid",
    )
    assert _count(client, LoginSession) == sessions  # a refused login opens no session
    r = client.post(
        LOGIN, json={"username": "rachid", "password": PASSWORD, "totp_code": _code(secret, 1)}
    )
    assert r.status_code == 200, r.text
    assert r.json()["amr"] == ["pwd", "otp"]
    token = r.json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["amr"] == ["pwd", "otp"]
    headers = {"Authorization": f"Bearer {token}"}
    # The code just used is refused the second time (no replay).
    _problem(
        client.post(
            LOGIN, json={"username": "rachid", "password": PASSWORD, "totp_code": _code(secret, 1)}
        ),
        401,
        "totp_invalid",
    )
    fresh = client.post("/api/v1/auth/refresh", headers=headers)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["amr"] == ["pwd", "otp"]
    claims = jwt.decode(fresh.json()["access_token"], options={"verify_signature": False})
    assert claims["amr"] == ["pwd", "otp"]
    assert client.get("/api/v1/acts/hijri?gregorian=2024-01-01", headers=headers).status_code == 200


def test_missing_and_wrong_codes_count_towards_the_lockout(
    client: TestClient, staff: Staff
) -> None:
    staff.make("nadia", [Role.OFFICE_HEAD], ["MK02"])
    secret, _ = enrol_totp(app_state(client), "nadia")
    attempts: list[Json] = [
        {"username": "nadia", "password": PASSWORD},
        {"username": "nadia", "password": PASSWORD, "totp_code": "000000"},
        {"username": "nadia", "password": "wrong-horse-42", "totp_code": _code(secret)},
    ]
    for body in attempts:  # max_failed_logins is 3 in the test settings
        assert client.post(LOGIN, json=body).status_code == 401
    good = {"username": "nadia", "password": PASSWORD, "totp_code": _code(secret, 1)}
    _problem(client.post(LOGIN, json=good), 423, "account_locked")
    with app_state(client).sessions() as session:
        reasons = [
            e.detail.get("reason")
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "auth.login_failed")
            )
        ]
    assert reasons[-3:] == ["totp_required", "totp_invalid", "password"]


def test_not_enrolled_is_told_so_and_not_counted(client: TestClient, staff: Staff) -> None:
    state = app_state(client)
    with state.sessions.begin() as session:
        accounts.create_user(
            session,
            state.passwords,
            Principal.system(),
            username="admin.new",
            full_name="New Admin",
            password=PASSWORD,
            roles=[Role.CENTRAL_ADMIN],
            office_codes=[],
            all_offices=True,
        )
    for _ in range(4):
        _problem(
            client.post(LOGIN, json={"username": "admin.new", "password": PASSWORD}),
            403,
            "totp_not_enrolled",
        )
    # Never locked: once enrolled, the login goes through.
    assert staff.login("admin.new")


def test_an_enrolled_clerk_passes_a_code_too(client: TestClient, staff: Staff) -> None:
    headers = staff.make("amal", [Role.CLERK], ["MK01"])
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    secret, _ = enrol_totp(app_state(client), "amal")
    _problem(
        client.post(LOGIN, json={"username": "amal", "password": PASSWORD}), 401, "totp_required"
    )
    r = client.post(
        LOGIN, json={"username": "amal", "password": PASSWORD, "totp_code": _code(secret, 1)}
    )
    assert r.json()["amr"] == ["pwd", "otp"]


def test_password_only_token_is_refused_privileged_actions(
    client: TestClient, staff: Staff, registered_act: Callable[..., Json]
) -> None:
    act = registered_act()
    staff.make("keyer", [Role.OFFICER], ["MK01"])
    staff.make("boss", [Role.CENTRAL_ADMIN], all_offices=True)
    officer, admin = _password_only(client, "keyer"), _password_only(client, "boss")
    r = client.post(
        "/api/v1/acts",
        headers=officer,
        json={"office": "MK01", "kind": "birth", "source": "register_page", "fields": birth()},
    )
    body = _problem(r, 403, "second_factor_required")
    assert "TOTP" in body["messages"]["ar"]
    _problem(
        client.get("/api/v1/acts/hijri?gregorian=2024-01-01", headers=officer),
        403,
        "second_factor_required",
    )
    note = {
        "kind": "marriage",
        "note_date": "2015-07-01",
        "authority_kind": "adoul_act",
        "authority_name": "قسم التوثيق بمكناس",
        "authority_reference": "123/2015",
        "text_ar": "تزوج",
        "text_fr": "Marié",
    }
    r = client.post(f"/api/v1/acts/{act['id']}/notes", headers=officer, json=note)
    _problem(r, 403, "second_factor_required")
    decide = client.post(
        "/api/v1/requests/999/transitions", headers=officer, json={"to": "approved"}
    )
    _problem(decide, 403, "second_factor_required")
    # Handing documents over is no privileged action: the request is just not there.
    deliver = client.post(
        "/api/v1/requests/999/transitions", headers=officer, json={"to": "printed"}
    )
    assert deliver.json()["code"] == "not_found"
    user = {
        "username": "someone.new",
        "full_name": "Someone New",
        "password": "Str0ng-pass-word",
        "roles": ["clerk"],
        "offices": ["MK01"],
    }
    _problem(client.post("/api/v1/users", headers=admin, json=user), 403, "second_factor_required")
    # What the role grants without the privileged part still works, and refresh keeps it so.
    me = client.get("/api/v1/auth/me", headers=officer).json()
    assert "requests.deliver" in me["permissions"]
    assert "acts.key" not in me["permissions"]
    fresh = client.post("/api/v1/auth/refresh", headers=officer).json()
    assert fresh["amr"] == ["pwd"]
    # The same accounts with the mark may.
    assert client.post("/api/v1/users", headers=staff.login("boss"), json=user).status_code == 201


def test_roles_without_totp_log_in_as_before(client: TestClient, staff: Staff) -> None:
    for name, roles in (
        ("fleet.op", [Role.FLEET_OPERATOR]),
        ("tech.one", [Role.TECHNICIAN]),
        ("clerk.two", [Role.CLERK]),
    ):
        staff.make(name, roles, ["MK04"])
        r = client.post(LOGIN, json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        assert r.json()["amr"] == ["pwd"]
    tech = _password_only(client, "tech.one")
    r = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk04-09", "office": "MK04"}
    )
    assert r.status_code == 201, r.text


def test_codes_are_checked_once_per_step(client: TestClient, staff: Staff) -> None:
    staff.make("salim", [Role.OFFICER], ["MK03"])
    state = app_state(client)
    secret, last = enrol_totp(state, "salim")
    with state.sessions.begin() as session:
        uid = session.scalar(select(User.id).where(User.username == "salim"))
        assert uid is not None
        actor = Actor("test", None)
        now = (last + 5) * 30.0
        code = pyotp.TOTP(secret).at(now)
        assert second_factor.verify(session, actor, uid, code, now)
        assert not second_factor.verify(session, actor, uid, code, now)
        assert not second_factor.verify(session, actor, uid, "abcdef", now)
