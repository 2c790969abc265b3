"""baseline: the schema the fleet manager made with create_all before it had migrations

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:00:00

Names are those create_all gave (unnamed primary keys, ``ix_<table>_<column>`` indexes), so a
database made that way and stamped here is the same as one built by this migration. While
such a database is adopted (``fleet_manager.migrate``), tables it already has are left alone
and only the ones an older release had not made yet are created.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from fleet_manager.migrate import ADOPT_EXISTING
from sijill.dbtypes import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index name, columns) of each table.
Indexes = Sequence[tuple[str, list[str]]]


def _table(name: str, indexes: Indexes, *items: sa.schema.SchemaItem) -> None:
    if context.config.attributes.get(ADOPT_EXISTING) and sa.inspect(op.get_bind()).has_table(name):
        return
    op.create_table(name, *items)
    for index, columns in indexes:
        op.create_index(index, name, columns)


def _utc(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _col(name: str, type_: sa.types.TypeEngine[Any], nullable: bool) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=nullable)


def upgrade() -> None:
    _table(
        "terminals",
        [("ix_terminals_office", ["office"]), ("ix_terminals_status", ["status"])],
        _str("id", 64, nullable=False),
        _str("office", 8),
        _str("group", 64),
        _str("hardware", 200),
        _str("software_version", 64),
        _col("config_version", sa.Integer(), True),
        _col("desired_config_version", sa.Integer(), True),
        _str("status", 16, nullable=False),
        _str("status_reason", 300),
        _utc("status_since", nullable=True),
        _str("presence", 16),
        _str("boot_id", 64),
        _utc("first_seen", nullable=True),
        _utc("last_seen", nullable=True),
        _col("interval_s", sa.Float(), True),
        _col("last_telemetry", sa.JSON(), True),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "telemetry_samples",
        [("ix_samples_terminal_ts", ["terminal_id", "ts"]), ("ix_telemetry_samples_ts", ["ts"])],
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _str("terminal_id", 64, nullable=False),
        _utc("ts"),
        _col("cpu_pct", sa.Float(), True),
        _col("mem_pct", sa.Float(), True),
        _col("disk_free_pct", sa.Float(), True),
        _col("outbox_pending", sa.Integer(), True),
        _str("printer", 16),
        _str("card_reader", 16),
        _str("status", 16),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "telemetry_rollups",
        [],
        _str("terminal_id", 64, nullable=False),
        _utc("hour"),
        _col("samples", sa.Integer(), False),
        _col("cpu_avg", sa.Float(), True),
        _col("mem_avg", sa.Float(), True),
        _col("disk_free_min", sa.Float(), True),
        _col("outbox_max", sa.Integer(), True),
        _col("not_ok", sa.Integer(), False),
        sa.PrimaryKeyConstraint("terminal_id", "hour"),
    )
    _table(
        "terminal_events",
        [("ix_events_terminal_ts", ["terminal_id", "ts"])],
        _str("id", 36, nullable=False),
        _str("terminal_id", 64, nullable=False),
        _utc("ts"),
        _str("kind", 32, nullable=False),
        _str("device", 16),
        _col("data", sa.JSON(), False),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "usage_days",
        [("ix_usage_office_day", ["office", "day"])],
        _col("day", sa.Date(), False),
        _str("terminal_id", 64, nullable=False),
        _str("office", 8),
        _col("requests", sa.Integer(), False),
        _col("receipts", sa.Integer(), False),
        _col("faults", sa.Integer(), False),
        sa.PrimaryKeyConstraint("day", "terminal_id"),
    )
    _table(
        "status_changes",
        [
            ("ix_status_changes_terminal_ts", ["terminal_id", "ts"]),
            ("ix_status_changes_ts", ["ts"]),
        ],
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _str("terminal_id", 64, nullable=False),
        _str("office", 8),
        _utc("ts"),
        _str("status", 16, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "availability_days",
        [("ix_availability_office_day", ["office", "day"])],
        _col("day", sa.Date(), False),
        _str("terminal_id", 64, nullable=False),
        _str("office", 8),
        _col("open_s", sa.Float(), False),
        _col("online_s", sa.Float(), False),
        sa.PrimaryKeyConstraint("day", "terminal_id"),
    )
    _table(
        "availability_rolled",
        [],
        _col("day", sa.Date(), False),
        sa.PrimaryKeyConstraint("day"),
    )
    _table(
        "alerts",
        [("ix_alerts_state", ["state", "terminal_id"])],
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _str("terminal_id", 64, nullable=False),
        _str("office", 8),
        _str("rule", 32, nullable=False),
        _str("severity", 16, nullable=False),
        _str("state", 16, nullable=False),
        _str("detail", 300),
        _utc("opened_at"),
        _utc("acknowledged_at", nullable=True),
        _str("acknowledged_by", 200),
        _utc("escalated_at", nullable=True),
        _utc("resolved_at", nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "commands",
        [("ix_commands_status", ["status"]), ("ix_commands_terminal_id", ["terminal_id"])],
        _str("id", 36, nullable=False),
        _str("terminal_id", 64, nullable=False),
        _str("name", 32, nullable=False),
        _col("args", sa.JSON(), False),
        _str("issued_by", 200, nullable=False),
        _utc("issued_at"),
        _utc("deadline"),
        _str("status", 16, nullable=False),
        _str("detail", 300),
        _col("result", sa.JSON(), False),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "config_versions",
        [("ix_config_scope", ["scope", "scope_id"])],
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _str("scope", 16, nullable=False),
        _str("scope_id", 64, nullable=False),
        _col("overrides", sa.JSON(), False),
        _str("created_by", 200, nullable=False),
        _utc("created_at"),
        _col("note", sa.Text(), True),
        _col("rollback_of", sa.Integer(), True),
        sa.PrimaryKeyConstraint("id"),
    )
    _table(
        "audit",
        [("ix_audit_ts", ["ts"])],
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _utc("ts"),
        _str("actor", 200, nullable=False),
        _str("action", 64, nullable=False),
        _str("target", 200, nullable=False),
        _col("detail", sa.JSON(), False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for name in (
        "audit",
        "config_versions",
        "commands",
        "alerts",
        "availability_rolled",
        "availability_days",
        "status_changes",
        "usage_days",
        "terminal_events",
        "telemetry_rollups",
        "telemetry_samples",
        "terminals",
    ):
        op.drop_table(name)  # its indexes go with it
