"""The fleet database's migrations on SQLite and PostgreSQL: an empty database gets exactly
the models' schema, a database made by ``create_all`` before migrations is adopted with its
rows, a second upgrade changes nothing, and the records backend's version table is not the
fleet's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, text
from typer.testing import CliRunner

from fleet_manager import models
from fleet_manager.db import Base, make_engine
from fleet_manager.migrate import (
    BASELINE,
    BASELINE_TABLES,
    VERSION_TABLE,
    current_revision,
    fleet_objects_only,
    head_revision,
    upgrade,
)
from tests.pg_databases import throwaway_database

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'fleet.db'}")
        yield made
        made.dispose()
        return
    admin: str = request.getfixturevalue("postgres_admin_url")
    with throwaway_database(admin, "sijill_fleet") as url:
        made = make_engine(url)
        yield made
        made.dispose()


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": fleet_objects_only,
                "version_table": VERSION_TABLE,
            },
        )
        return list(compare_metadata(context, Base.metadata))


def _schema(engine: Engine) -> dict[str, tuple[Any, ...]]:
    """Tables with their columns and indexes, to see that nothing changed."""
    found = inspect(engine)
    return {
        table: (
            tuple((c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)),
            tuple(
                sorted(
                    (i["name"] or "", tuple(i["column_names"])) for i in found.get_indexes(table)
                )
            ),
            tuple(found.get_pk_constraint(table)["constrained_columns"]),
        )
        for table in sorted(found.get_table_names())
    }


def _versions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))


def test_empty_database_migrates_to_exactly_the_models(engine: Engine) -> None:
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == {*Base.metadata.tables, VERSION_TABLE}
    assert set(Base.metadata.tables) == BASELINE_TABLES
    assert _differences(engine) == []
    # Today's models and a create_all of them agree on every index name too.
    created = {t.name: {i.name for i in t.indexes} for t in Base.metadata.sorted_tables}
    found = inspect(engine)
    assert {t: {i["name"] for i in found.get_indexes(t)} for t in created} == created


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Terminal).values(id="k1", status="online"))
    schema = _schema(engine)
    upgrade(engine)
    assert _schema(engine) == schema
    assert _versions(engine) == [head_revision()]
    with engine.connect() as conn:
        assert conn.scalar(select(models.Terminal.status)) == "online"


def test_create_all_database_is_stamped_and_keeps_its_rows(engine: Engine) -> None:
    Base.metadata.create_all(engine)  # how the fleet manager made its database before
    with engine.begin() as conn:
        conn.execute(
            insert(models.Terminal).values(
                id="kiosk-mk01-a", office="MK01", status="degraded", last_seen=NOW
            )
        )
        conn.execute(
            insert(models.AuditEntry).values(
                ts=NOW, actor="op", action="command", target="kiosk-mk01-a", detail={"n": 1}
            )
        )
        conn.execute(
            insert(models.UsageDay).values(
                day=date(2026, 11, 1),
                terminal_id="kiosk-mk01-a",
                office="MK01",
                requests=7,
                receipts=6,
                faults=0,
            )
        )
    schema = _schema(engine)
    assert current_revision(engine) is None

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert _versions(engine) == [BASELINE]  # stamped, then nothing more to run
    assert {k: v for k, v in _schema(engine).items() if k != VERSION_TABLE} == schema
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert conn.execute(
            select(models.Terminal.id, models.Terminal.status, models.Terminal.last_seen)
        ).one() == ("kiosk-mk01-a", "degraded", NOW)
        assert conn.scalar(select(models.AuditEntry.detail)) == {"n": 1}
        assert conn.scalar(select(models.UsageDay.requests)) == 7
    upgrade(engine)
    assert _versions(engine) == [BASELINE]


def test_older_create_all_database_gets_the_tables_it_lacked(engine: Engine) -> None:
    # A release before kiosk usage had no usage or availability tables yet.
    later = {"usage_days", "status_changes", "availability_days", "availability_rolled"}
    Base.metadata.create_all(
        engine, tables=[t for name, t in Base.metadata.tables.items() if name not in later]
    )
    with engine.begin() as conn:
        conn.execute(insert(models.Terminal).values(id="k1", status="offline"))

    upgrade(engine)

    assert later <= set(inspect(engine).get_table_names())
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert conn.scalar(select(models.Terminal.status)) == "offline"


def test_the_records_backends_version_is_left_alone(engine: Engine) -> None:
    # The records backend keeps its revision in Alembic's default table.
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0007')"))
    upgrade(engine)
    upgrade(engine)
    assert _versions(engine) == [head_revision()]
    with engine.connect() as conn:
        assert list(conn.scalars(text("SELECT version_num FROM alembic_version"))) == ["0007"]
    assert _differences(engine) == []


def test_db_commands(tmp_path: Path) -> None:
    from sijill.cli import app

    runner = CliRunner()
    before = runner.invoke(app, ["fleet", "db", "current", "--data-dir", str(tmp_path)])
    assert before.exit_code == 0, before.output
    assert f"current: None  head: {head_revision()}" in before.output
    done = runner.invoke(app, ["fleet", "db", "upgrade", "--data-dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert f"revision {head_revision()} (was None)" in done.output
    after = runner.invoke(app, ["fleet", "db", "current", "--data-dir", str(tmp_path)])
    assert f"current: {head_revision()}  head: {head_revision()}" in after.output
