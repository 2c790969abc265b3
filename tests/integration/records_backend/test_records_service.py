"""The service around the API: health, metrics, OpenAPI, settings, the real server process."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from records_backend.settings import RecordsSettings
from tests.integration.records_backend.records_helpers import records_server

pytestmark = pytest.mark.integration


def test_health_metrics_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    client.get("/api/v1/offices")  # counted, refused
    # Metrics are for scrapers on this machine (or with the scrape token).
    metrics = TestClient(client.app, client=("127.0.0.1", 50000)).get("/metrics")
    assert metrics.status_code == 200
    assert (
        'sijill_records_http_requests_total{route="/api/v1/offices",status="401"} 1.0'
        in metrics.text
    )
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/acts",
        "/api/v1/acts/search",
        "/api/v1/requests",
        "/api/v1/auth/jwks",
        "/api/v1/requests/{request_id}/transitions",
        "/api/v1/codes/blocks",
    ):
        assert path in paths, path
    assert client.get("/no/such/page").headers["content-type"] == "application/problem+json"


def test_unmigrated_database_is_not_healthy(tmp_path: Path) -> None:
    settings = RecordsSettings(data_dir=tmp_path, migrate_on_startup=False, ensure_offices=False)
    from records_backend.app import create_app

    with TestClient(create_app(settings)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503
    assert r.json()["reason"] == "schema not migrated"


def test_production_needs_a_key_and_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="signing_key"):
        RecordsSettings(mode="production", data_dir=tmp_path, database_url="postgresql://x/y")
    with pytest.raises(ValidationError, match="PostgreSQL"):
        RecordsSettings(mode="production", data_dir=tmp_path, signing_key="pem")
    defaults = RecordsSettings(data_dir=tmp_path)
    assert defaults.port == 8100
    assert defaults.database_url_resolved() == f"sqlite:///{tmp_path / 'records.db'}"


def test_serve_runs_the_api_on_its_port(db_url: str, tmp_path: Path) -> None:
    with records_server(db_url, tmp_path) as base:
        jwks = httpx.get(f"{base}/api/v1/auth/jwks").json()
        assert jwks["keys"][0]["crv"] == "Ed25519"
        assert (tmp_path / "records-signing-key.pem").stat().st_mode & 0o077 == 0
        pem = httpx.get(f"{base}/api/v1/auth/public-key.pem").text
        assert (tmp_path / "records-signing-key.pub.pem").read_text() == pem
        scraped = httpx.get(f"{base}/metrics")
        assert scraped.status_code == 200
        assert "sijill_records_http_requests_total" in scraped.text


def test_migrations_build_exactly_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import records_backend.db.models  # noqa: F401  (registers every table)
    from records_backend.db.base import Base
    from records_backend.db.engine import make_engine

    mine = set(Base.metadata.tables)

    def include_name(name: str | None, type_: str, parents: dict[str, str | None]) -> bool:
        # Other parts of the package may keep tables of their own in the same database.
        if type_ == "schema":
            return True
        table = name if type_ == "table" else parents.get("table_name")
        return table in mine or table == "alembic_version"

    engine = make_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()
