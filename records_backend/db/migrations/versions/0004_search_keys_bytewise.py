"""Search keys compare byte by byte; name indexes carry the date so pages need no sort.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = ("given_key_ar", "family_key_ar", "given_key_lat", "family_key_lat")


def _indexes(with_date: bool) -> None:
    extra = ["event_date"] if with_date else []
    op.create_index("ix_acts_names_ar", "acts", ["family_key_ar", "given_key_ar", *extra])
    op.create_index("ix_acts_names_lat", "acts", ["family_key_lat", "given_key_lat", *extra])


def upgrade() -> None:
    op.drop_index("ix_acts_names_ar", table_name="acts")
    op.drop_index("ix_acts_names_lat", table_name="acts")
    if op.get_bind().dialect.name == "postgresql":
        for column in _KEYS:
            op.alter_column(
                "acts", column, type_=sa.String(80, collation="C"), existing_nullable=False
            )
    _indexes(with_date=True)


def downgrade() -> None:
    op.drop_index("ix_acts_names_ar", table_name="acts")
    op.drop_index("ix_acts_names_lat", table_name="acts")
    if op.get_bind().dialect.name == "postgresql":
        for column in _KEYS:
            op.alter_column("acts", column, type_=sa.String(80), existing_nullable=False)
    _indexes(with_date=False)
