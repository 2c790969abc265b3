"""Alembic environment of the fleet database: uses the connection handed over by
fleet_manager.migrate, and keeps its version in its own table so that the fleet can share
a PostgreSQL database with the records backend."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import fleet_manager.models  # noqa: F401  (registers the tables)
from fleet_manager.db import Base
from fleet_manager.migrate import VERSION_TABLE, fleet_objects_only

config = context.config
target_metadata = Base.metadata


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_name=fleet_objects_only,
        render_as_batch=True,
        compare_type=True,
    )


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


run()
