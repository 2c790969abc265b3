"""Append to the audit chain in one round trip on PostgreSQL.

``audit_append`` takes the chain's lock, reads its tail, hashes and inserts the new entry.
The caller sends the entry's canonical JSON cut around the two values only the database
knows (the previous hash and the position), so the database never re-encodes JSON and the
hash stays the one ``records_backend.audit.chain.entry_hash`` computes and verifies.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION audit_append(
            p_at timestamptz, p_actor text, p_action text, p_target_type text,
            p_target_id text, p_office text, p_ip text, p_detail json,
            p_head text, p_tail text
        ) RETURNS bigint AS $$
        DECLARE
            last_seq bigint;
            last_hash text;
            new_hash text;
        BEGIN
            -- Any constant: the one lock that serializes appends to the chain.
            PERFORM pg_advisory_xact_lock(1362296833);
            SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
            IF NOT FOUND THEN
                last_seq := 0;
                last_hash := repeat('0', 64);
            END IF;
            new_hash := encode(sha256(convert_to(
                p_head || '"prev":"' || last_hash || '","seq":' || (last_seq + 1) || ','
                || p_tail, 'UTF8')), 'hex');
            INSERT INTO audit_log (seq, at, actor, action, target_type, target_id, office, ip,
                                   detail, prev_hash, hash)
            VALUES (last_seq + 1, p_at, p_actor, p_action, p_target_type, p_target_id,
                    p_office, p_ip, p_detail, last_hash, new_hash);
            RETURN last_seq + 1;
        END;
        $$ LANGUAGE plpgsql
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION audit_append(timestamptz, text, text, text, text, text, text, json, "
            "text, text)"
        )
