"""Records backend against real databases: every test runs on SQLite and on PostgreSQL.

Each engine is migrated once per session; each test then starts from an empty registry
(a copy of the migrated SQLite file, or a TRUNCATE on PostgreSQL) with the offices loaded
by the app's start-up.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import records_backend.db.models  # noqa: F401
from records_backend.app import create_app
from records_backend.db.base import Base
from records_backend.db.engine import make_engine
from records_backend.db.migrate import upgrade
from records_backend.domain.roles import Role
from records_backend.settings import RecordsSettings
from tests.integration.records_backend.records_helpers import Json, Staff, birth


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """(engine name, URL of a migrated database): a template file or the session's PG database."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("records-template") / "template.db"
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return str(request.param), url


@pytest.fixture
def db_url(migrated_db: tuple[str, str], tmp_path: Path) -> str:
    kind, url = migrated_db
    if kind == "sqlite":
        template = Path(url.removeprefix("sqlite:///"))
        target = tmp_path / "records.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> RecordsSettings:
    return RecordsSettings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        migrate_on_startup=False,
        argon2_time_cost=1,
        argon2_memory_kib=64,
        max_failed_logins=3,
    )


@pytest.fixture
def client(settings: RecordsSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def staff(client: TestClient) -> Staff:
    return Staff(client)


@pytest.fixture
def birth_fields() -> Callable[..., Json]:
    return birth


@pytest.fixture
def registered_act(
    client: TestClient, staff: Staff, birth_fields: Callable[..., Json]
) -> Callable[..., Json]:
    """Key an act twice (two officers of MK01) so it is registered; returns the act JSON."""
    first = staff.make("keyer.one", [Role.OFFICER], ["MK01"])
    second = staff.make("keyer.two", [Role.OFFICER], ["MK01"])

    def make(office: str = "MK01", kind: str = "birth", **overrides: Any) -> Json:
        fields = birth_fields(**overrides)
        r = client.post(
            "/api/v1/acts",
            headers=first,
            json={"office": office, "kind": kind, "source": "register_page", "fields": fields},
        )
        assert r.status_code == 201, r.text
        r = client.post(f"/api/v1/acts/{r.json()['id']}/second-keying", headers=second, json=fields)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "registered"
        return dict(r.json())

    return make
