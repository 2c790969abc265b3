"""Places in Latin letters beside the Arabic ones; search keys for names in Tifinagh.

Every new column is nullable: acts registered before keep their Arabic place alone (documents
fall back to it) and have no Tifinagh key unless they carry a Tifinagh name, whose keys are
computed here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from records_backend.domain.names import normalize_tifinagh

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLACES = ("event_place_lat", "father_birth_place_lat", "mother_birth_place_lat")
_TFNG_KEYS = ("given_key_tfng", "family_key_tfng")


def _key_type() -> sa.String:
    # Byte-wise comparison, as for the other scripts' keys (see 0004).
    if op.get_bind().dialect.name == "postgresql":
        return sa.String(80, collation="C")
    return sa.String(80)


def upgrade() -> None:
    for column in _PLACES:
        op.add_column("acts", sa.Column(column, sa.String(length=120), nullable=True))
    for column in _TFNG_KEYS:
        op.add_column("acts", sa.Column(column, _key_type(), nullable=True))
    acts = sa.table(
        "acts",
        sa.column("id", sa.Integer),
        sa.column("given_name_tfng", sa.String),
        sa.column("family_name_tfng", sa.String),
        sa.column("given_key_tfng", sa.String),
        sa.column("family_key_tfng", sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(acts.c.id, acts.c.given_name_tfng, acts.c.family_name_tfng).where(
            sa.or_(acts.c.given_name_tfng.is_not(None), acts.c.family_name_tfng.is_not(None))
        )
    ).all()
    if rows:
        bind.execute(
            acts.update()
            .where(acts.c.id == sa.bindparam("act_id"))
            .values(given_key_tfng=sa.bindparam("given"), family_key_tfng=sa.bindparam("family")),
            [
                {
                    "act_id": act_id,
                    "given": normalize_tifinagh(given) if given else None,
                    "family": normalize_tifinagh(family) if family else None,
                }
                for act_id, given, family in rows
            ],
        )
    # Partial: most acts have no Tifinagh name and need no entry (the search's equality on
    # the family key implies the condition, so both engines use it).
    only_tfng = sa.text("family_key_tfng IS NOT NULL")
    op.create_index(
        "ix_acts_names_tfng",
        "acts",
        ["family_key_tfng", "given_key_tfng", "event_date"],
        sqlite_where=only_tfng,
        postgresql_where=only_tfng,
    )


def downgrade() -> None:
    op.drop_index("ix_acts_names_tfng", table_name="acts")
    with op.batch_alter_table("acts") as batch:
        for column in (*_TFNG_KEYS, *_PLACES):
            batch.drop_column(column)
