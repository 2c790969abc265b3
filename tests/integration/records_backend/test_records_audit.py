"""The audit log: every change and staff read is chained; tampering is found and named."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from records_backend.audit.chain import Verdict, entry_hash
from records_backend.audit.log import Actor, append, iter_entries, verify
from records_backend.db.engine import make_engine, make_session_factory
from records_backend.domain.roles import Role
from tests.integration.records_backend.records_helpers import Headers, Json, Staff

pytestmark = pytest.mark.integration


def _tamper(db_url: str, *statements: str) -> None:
    """What an attacker with database rights could do: switch the guard off and edit rows."""
    engine = make_engine(db_url)
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        for stmt in statements:
            conn.execute(text(stmt))
        if pg:
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
    engine.dispose()


def _verdict(client: TestClient) -> Verdict:
    with client.app.state.records.sessions() as session:  # type: ignore[attr-defined]
        return verify(session)


@pytest.fixture
def busy_log(
    client: TestClient, staff: Staff, registered_act: Callable[..., Json]
) -> dict[str, str]:
    act = registered_act()
    clerk = staff.make("clerk", [Role.CLERK], ["MK01"])
    for _ in range(3):
        assert client.get(f"/api/v1/acts/{act['id']}", headers=clerk).status_code == 200
    # A lookup by reference runs without a surrounding transaction on PostgreSQL: its read
    # must be chained and committed all the same.
    by_reference = client.get(f"/api/v1/acts/by-reference/{act['reference']}", headers=clerk)
    assert by_reference.status_code == 200
    return clerk


def test_changes_and_reads_are_chained(client: TestClient, staff: Staff, busy_log: Headers) -> None:
    auditor = staff.make("auditor", [Role.AUDITOR], all_offices=True)
    r = client.get("/api/v1/audit/verify", headers=auditor).json()
    assert r["ok"] is True
    assert r["first_bad_seq"] is None
    assert r["checked"] >= 10
    assert client.get("/api/v1/audit/verify", headers=busy_log).json()["code"] == "forbidden_role"
    with client.app.state.records.sessions() as session:  # type: ignore[attr-defined]
        rows = session.execute(text("SELECT actor, action, ip FROM audit_log ORDER BY seq")).all()
    reads = [row for row in rows if row.action == "act.read"]
    assert len(reads) == 4
    assert {row.actor for row in reads} == {"user:clerk"}
    assert all(row.ip for row in reads)
    # The first officer enrols TOTP, then logs in with a code.
    assert [row.action for row in rows][:4] == [
        "user.create",
        "auth.totp_enrolled",
        "auth.login",
        "auth.totp_ok",
    ]


def test_the_database_refuses_edits(client: TestClient, busy_log: Headers, db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone' WHERE seq = 2"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    engine.dispose()
    assert _verdict(client).ok


def test_altered_entry_is_named(client: TestClient, busy_log: Headers, db_url: str) -> None:
    _tamper(db_url, "UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 5")
    v = _verdict(client)
    assert (v.ok, v.first_bad_seq) == (False, 5)
    assert "altered" in (v.problem or "")


def test_removed_entry_is_named(client: TestClient, busy_log: Headers, db_url: str) -> None:
    _tamper(db_url, "DELETE FROM audit_log WHERE seq = 4")
    v = _verdict(client)
    assert (v.ok, v.first_bad_seq) == (False, 4)
    assert "missing" in (v.problem or "")


def test_reordered_entries_are_named(client: TestClient, busy_log: Headers, db_url: str) -> None:
    # Swap entries 6 and 7 (positions exchanged, contents and hashes kept).
    _tamper(
        db_url,
        "UPDATE audit_log SET seq = -6 WHERE seq = 6",
        "UPDATE audit_log SET seq = 6 WHERE seq = 7",
        "UPDATE audit_log SET seq = 7 WHERE seq = -6",
    )
    v = _verdict(client)
    assert (v.ok, v.first_bad_seq) == (False, 6)


def test_rehashed_forgery_breaks_the_link(
    client: TestClient, busy_log: Headers, db_url: str
) -> None:
    # Even recomputing the altered entry's own hash leaves the next entry pointing at the old one.
    from records_backend.audit.chain import entry_hash
    from records_backend.audit.log import iter_entries

    with client.app.state.records.sessions() as session:  # type: ignore[attr-defined]
        entry = next(e for e in iter_entries(session) if e.seq == 3)
    forged = entry.__class__(
        **{**{f: getattr(entry, f) for f in entry.__slots__}, "actor": "user:forger"}
    )
    new_hash = entry_hash(forged)
    _tamper(
        db_url, f"UPDATE audit_log SET actor = 'user:forger', hash = '{new_hash}' WHERE seq = 3"
    )
    v = _verdict(client)
    assert (v.ok, v.first_bad_seq) == (False, 4)


def test_awkward_entries_hash_alike_in_python_and_in_the_database(db_url: str) -> None:
    # On PostgreSQL the database completes and hashes each entry (audit_append); the
    # verifier hashes it again in Python. Quotes, backslashes, controls, Arabic and nesting
    # must give the same text on both sides, and the chain must stay in order.
    engine = make_engine(db_url)
    awkward: list[tuple[str, dict[str, Any]]] = [
        ("user:o'brien", {"note": 'he said "stop"\\n', "n": [1, {"z": None, "a": True}]}),
        ("user:فاطمة", {"الاسم": "محمد\tبن\n", "ctrl": "\x01\x1f", "big": 2**62}),
        ("terminal:kiosk-01", {}),
    ]
    with make_session_factory(engine).begin() as session:
        for actor, detail in awkward:
            append(session, Actor(actor, "::1"), "test.awkward", "act", "1", detail=detail)
    with make_session_factory(engine)() as session:
        verdict = verify(session)
        entries = list(iter_entries(session))
    engine.dispose()
    assert verdict.ok, verdict.problem
    mine = [e for e in entries if e.action == "test.awkward"]
    assert [(e.actor, e.detail) for e in mine] == awkward
    assert all(e.hash == entry_hash(e) for e in mine)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
