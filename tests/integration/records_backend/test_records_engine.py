"""The PostgreSQL pool: a connection that sat idle is checked before it is used."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from records_backend.db import engine as engine_module
from records_backend.db.engine import make_engine

pytestmark = pytest.mark.integration


def test_a_connection_closed_by_the_server_while_idle_is_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(postgres_url, pool_size=1)
    try:
        with engine.connect() as conn:
            first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        other = make_engine(postgres_url, pool_size=1)
        with other.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})
        other.dispose()
        # The pooled connection now looks idle for long enough to be checked.
        monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
        with engine.connect() as conn:
            second_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second_pid != first_pid
    finally:
        engine.dispose()
