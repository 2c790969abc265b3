"""The staff pages' tables (account security, issued documents, hand-overs) join the registry.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import records_backend.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_staff_security",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_staff_security_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_web_staff_security")),
    )
    op.create_table(
        "web_collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=16), nullable=False),
        sa.Column("clerk_id", sa.Integer(), nullable=True),
        sa.Column("id_document_number", sa.String(length=24), nullable=False),
        sa.Column("fee_dirhams", sa.Integer(), nullable=False),
        sa.Column(
            "collected_at", records_backend.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["users.id"], name=op.f("fk_web_collections_clerk_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_web_collections_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["doc_requests.id"],
            name=op.f("fk_web_collections_request_id_doc_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_collections")),
        sa.UniqueConstraint("request_id", name=op.f("uq_web_collections_request_id")),
    )
    with op.batch_alter_table("web_collections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_collections_collected_at"), ["collected_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_web_collections_office_id"), ["office_id"], unique=False
        )

    op.create_table(
        "web_issued_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=32), nullable=False),
        sa.Column("short_code", sa.String(length=32), nullable=False),
        sa.Column("qr_text", sa.String(length=400), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", records_backend.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_web_issued_documents_issued_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["doc_requests.id"],
            name=op.f("fk_web_issued_documents_request_id_doc_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_issued_documents")),
        sa.UniqueConstraint("serial", name=op.f("uq_web_issued_documents_serial")),
    )
    with op.batch_alter_table("web_issued_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_issued_documents_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("web_issued_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_issued_documents_request_id"))

    op.drop_table("web_issued_documents")
    with op.batch_alter_table("web_collections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_collections_office_id"))
        batch_op.drop_index(batch_op.f("ix_web_collections_collected_at"))

    op.drop_table("web_collections")
    op.drop_table("web_staff_security")
