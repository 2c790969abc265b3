"""The fleet database's Alembic migrations, run from code (start-up and ``sijill fleet db``).

The version lives in ``fleet_alembic_version`` (not Alembic's default table) so the fleet
and the records backend can share one PostgreSQL database. A database made by the fleet
manager before it had migrations (``create_all``: tables, no version table) is adopted at the
baseline on its first upgrade, its rows untouched.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "fleet_alembic_version"
BASELINE = "0001"
#: The tables the baseline creates: what a ``create_all``-era database holds.
BASELINE_TABLES = frozenset(
    {
        "terminals",
        "telemetry_samples",
        "telemetry_rollups",
        "terminal_events",
        "usage_days",
        "status_changes",
        "availability_days",
        "availability_rolled",
        "alerts",
        "commands",
        "config_versions",
        "audit",
    }
)
#: Tables that mark a fleet database: ``terminals`` is left out, the records backend has one
#: of that name too.
FLEET_MARKERS = BASELINE_TABLES - {"terminals"}
#: Set while a ``create_all``-era database is brought to the baseline: the baseline then
#: creates only the tables an older release had not made yet.
ADOPT_EXISTING = "fleet_adopt_existing"


def fleet_objects_only(
    name: str | None, type_: NameFilterType, parents: NameFilterParentNames
) -> bool:
    """Autogenerate looks only at the fleet's tables: the database may hold others'."""
    from fleet_manager import models  # noqa: F401  (registers the tables)
    from fleet_manager.db import Base

    if type_ == "schema":
        return True
    table = name if type_ == "table" else parents.get("table_name")
    return table in Base.metadata.tables


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def created_before_migrations(conn: Connection) -> bool:
    """Fleet tables but no version table: made by ``create_all`` before migrations."""
    names = set(inspect(conn).get_table_names())
    return VERSION_TABLE not in names and bool(names & FLEET_MARKERS)


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if created_before_migrations(conn):
            log.info("fleet database without migrations: stamped at the baseline %s", BASELINE)
            cfg.attributes[ADOPT_EXISTING] = True
            command.upgrade(cfg, BASELINE)
            cfg.attributes[ADOPT_EXISTING] = False
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
