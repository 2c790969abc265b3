"""Who submitted each request: an idempotent replay must come from the same submitter.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:39:38.218292
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("doc_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("submitted_by", sa.String(length=80), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("doc_requests", schema=None) as batch_op:
        batch_op.drop_column("submitted_by")
