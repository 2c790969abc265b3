"""Helpers for the records backend tests: accounts and sample acts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from records_backend.api.state import AppState
from records_backend.domain.roles import Role
from records_backend.services import accounts
from records_backend.services.principal import Principal

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
        r = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}


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
