"""Helpers for the records backend tests: accounts, sample acts, a real server process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select

from records_backend.api.state import AppState
from records_backend.audit.log import Actor
from records_backend.db.models import User
from records_backend.db.types import utcnow
from records_backend.domain.roles import Role
from records_backend.security import second_factor, totp
from records_backend.security.tokens import AMR_OTP, AMR_PASSWORD
from records_backend.services import accounts
from records_backend.services.principal import Principal
from sijill.ports import free_port

PASSWORD = "correct-horse-42"
Json = dict[str, Any]
Headers = dict[str, str]


def app_state(client: TestClient) -> AppState:
    state: AppState = client.app.state.records  # type: ignore[attr-defined]
    return state


@dataclass
class Staff:
    client: TestClient

    def make(
        self,
        username: str,
        roles: list[Role],
        offices: list[str] | None = None,
        *,
        all_offices: bool = False,
    ) -> Headers:
        """Create an account directly and log it in through the API; returns auth headers."""
        state = app_state(self.client)
        with state.sessions.begin() as session:
            accounts.create_user(
                session,
                state.passwords,
                Principal.system(),
                username=username,
                full_name=username.title(),
                password=PASSWORD,
                roles=roles,
                office_codes=offices or [],
                all_offices=all_offices,
            )
        return self.login(username)

    def login(self, username: str, password: str = PASSWORD) -> Headers:
        """Log in through the API, with a TOTP code when the account needs one (enrolled on
        first use). A code is good once: past two logins of one account in a 30 s step, the
        token is made by the login service itself, with the mark a code would have given."""
        body = {"username": username, "password": password}
        needed, code = self.totp_code(username)
        if needed and code is None:
            return self.login_marked(username, password)
        if code is not None:
            body["totp_code"] = code
        r = self.client.post("/api/v1/auth/login", json=body)
        assert r.status_code == 200, r.text
        assert ("otp" in r.json()["amr"]) == needed
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def totp_code(self, username: str) -> tuple[bool, str | None]:
        """(whether the account must pass TOTP, a code the server will take or None)."""
        state = app_state(self.client)
        with state.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            needed = user is not None and second_factor.needed(
                session, user, totp.DEFAULT_TOTP_ROLES
            )
        if not needed:
            return False, None
        secret, last_step = enrol_totp(state, username)
        now_step = int(time.time() // totp.STEP_S)
        # This step or the next: the server takes both even if a step ends meanwhile.
        step = max(now_step, last_step + 1)
        if step > now_step + 1:
            return True, None
        return True, pyotp.TOTP(secret).at(step * totp.STEP_S)

    def login_marked(self, username: str, password: str = PASSWORD) -> Headers:
        state = app_state(self.client)
        with state.sessions.begin() as session:
            _user, _ls, claims = accounts.login(
                session, state.passwords, state.login_policy, username, password, None
            )
        token = state.tokens.issue(replace(claims, amr=(AMR_PASSWORD, AMR_OTP)), utcnow())
        return {"Authorization": f"Bearer {token}"}


def enrol_totp(state: AppState, username: str) -> tuple[str, int]:
    """Enrol the account's TOTP app as the staff pages do (the first good code completes it),
    with a code two steps old so the next ones are free; returns (secret, last step used)."""
    with state.sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        row = second_factor.security_of(session, user.id)
        if not row.totp_enabled:
            secret = second_factor.secret_for_setup(session, user.id)
            then = time.time() - 2 * totp.STEP_S
            code = pyotp.TOTP(secret).at(then)
            assert second_factor.verify(session, Actor("test:enrol", None), user.id, code, then)
        assert row.totp_secret is not None
        return row.totp_secret, row.totp_last_step


def birth(**overrides: Any) -> Json:
    fields: Json = {
        "number": 123,
        "given_name_ar": "محمد",
        "family_name_ar": "العلوي",
        "given_name_lat": "Mohamed",
        "family_name_lat": "El Alaoui",
        "sex": "M",
        "event_date": "1990-05-14",
        "event_date_hijri": "1410-10-19",
        "event_time": "08:30:00",
        "event_place": "Meknès",
        "father_name_ar": "أحمد بن علي العلوي",
        "father_name_lat": "Ahmed Ben Ali El Alaoui",
        "father_birth_date": "1960-01-02",
        "father_occupation": "commerçant",
        "mother_name_ar": "فاطمة الزهراء بنت محمد",
        "mother_name_lat": "Fatima Zahra Bent Mohamed",
        "mother_birth_date": "1965-03-04",
        "nationality": "marocaine",
        "declarant_name": "أحمد العلوي",
        "declarant_relation": "الأب",
        "officer_name": "عبد الله الإدريسي",
        "drawn_up_date": "1990-05-20",
        "drawn_up_date_hijri": "1410-10-25",
        "source_page": 42,
    }
    fields.update(overrides)
    return fields


@contextmanager
def records_server(db_url: str, data_dir: Path, **env: str) -> Iterator[str]:
    """``sijill records serve`` in its own process on a free port, settings from the
    environment (``env`` added to it); yields the base URL once ``/healthz`` answers."""
    port = free_port()
    command = [sys.executable, "-m", "sijill", "records", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(data_dir), "--database-url", db_url]
    environment = {**os.environ, "SIJILL_RECORDS_ARGON2_MEMORY_KIB": "64", **env}
    proc = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"{base}/healthz", timeout=1).status_code
            except httpx.HTTPError:
                time.sleep(0.1)
        assert status == 200, "the records server did not become healthy"
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
