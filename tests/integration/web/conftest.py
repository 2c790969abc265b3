"""Page tests run against SQLite; the counter flow also against PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from records_backend.web import demo
from tests.integration.web.web_pages import Pages, make_app
from tests.pg_databases import throwaway_database


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[tuple[Pages, list[demo.DemoRequest]]]:
    yield from _pages_on(tmp_path, f"sqlite:///{tmp_path / 'records.db'}")


@pytest.fixture
def pg_pages(
    tmp_path: Path, postgres_admin_url: str
) -> Iterator[tuple[Pages, list[demo.DemoRequest]]]:
    with throwaway_database(postgres_admin_url, "sijill_web") as url:
        yield from _pages_on(tmp_path, url)


def _pages_on(tmp_path: Path, url: str) -> Iterator[tuple[Pages, list[demo.DemoRequest]]]:
    app = make_app(tmp_path / "data", url)
    # https: the session cookies are Secure.
    with TestClient(app, base_url="https://testserver") as client:
        yield Pages(client), demo.seed(app.state.records)
