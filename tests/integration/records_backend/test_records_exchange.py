"""JSON Lines export/import, demo data, and the command line (audit verify, migrate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from records_backend.audit.log import Actor
from records_backend.cli import app as cli
from records_backend.db.engine import make_engine
from records_backend.db.models import Act, MarginalNote
from records_backend.demo.seed import DEMO_ACCOUNTS, load_acts
from records_backend.domain.roles import Role
from records_backend.exchange import jsonl
from records_backend.exchange.jsonl import export, import_file
from tests.integration.records_backend.records_helpers import Staff, app_state

pytestmark = pytest.mark.integration
runner = CliRunner()


def _count(client: TestClient, model: type[Act] | type[MarginalNote]) -> int:
    with app_state(client).sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# ``workers``: lines checked in worker processes while this one inserts (large files), or
# in this process (small ones); both must give the same result.
@pytest.mark.parametrize("workers", [0, 2])
def test_demo_acts_export_and_import_round_trip(
    client: TestClient, tmp_path: Path, db_url: str, workers: int
) -> None:
    state = app_state(client)
    assert load_acts(state.sessions, 300, seed=7) == 300
    notes = _count(client, MarginalNote)
    assert notes > 30
    out = tmp_path / "acts.jsonl"
    with state.sessions() as session, out.open("w", encoding="utf-8") as fh:
        assert export(session, fh, Actor("system:test")) == 300
        session.commit()
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "sijill.acts"
    assert json.loads(lines[-1]) == {"type": "end", "count": 300}
    # Importing into the same registry adds nothing: every reference is already there.
    with state.sessions() as session:
        again = import_file(session, out, Actor("system:test"), workers=workers)
    assert (again.inserted, again.skipped, again.errors) == (0, 300, [])
    # Into an empty registry: the same acts, notes and history come back.
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for table in ("act_events", "marginal_notes", "acts", "registers"):
            conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
    with state.sessions() as session:
        # Batches smaller than the file: ids, registers and the audit chain run on.
        report = import_file(session, out, Actor("system:test"), batch=120, workers=workers)
    assert (report.inserted, report.notes, report.errors) == (300, notes, [])
    out2 = tmp_path / "again.jsonl"
    with state.sessions() as session, out2.open("w", encoding="utf-8") as fh:
        export(session, fh, Actor("system:test"))
        session.commit()
    first = [json.loads(line) for line in lines[1:-1]]
    second = [json.loads(line) for line in out2.read_text(encoding="utf-8").splitlines()[1:-1]]
    assert [(a["reference"], a["fields"], a["notes"], a["history"]) for a in first] == [
        (a["reference"], a["fields"], a["notes"], a["history"]) for a in second
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_bad_file_imports_nothing(client: TestClient, tmp_path: Path, workers: int) -> None:
    state = app_state(client)
    load_acts(state.sessions, 5, seed=3)
    good = tmp_path / "good.jsonl"
    with state.sessions() as session, good.open("w", encoding="utf-8") as fh:
        export(session, fh, Actor("system:test"))
        session.commit()
    lines = good.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[2])
    broken["fields"]["given_name_ar"] = "Latin"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], lines[1], json.dumps(broken), *lines[3:]]) + "\n")
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[:-1]) + "\n")
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({"format": "sijill.acts", "version": 99}) + "\n")
    for path, message in (
        (bad, "line 3: fields.given_name_ar"),
        (truncated, "truncated"),
        (newer, "version 99"),
    ):
        with state.sessions() as session:
            report = import_file(session, path, Actor("system:test"), workers=workers)
        assert report.inserted == 0
        assert any(message in e for e in report.errors), report.errors
    assert _count(client, Act) == 5


def test_workers_report_what_a_serial_check_reports(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines shared between worker processes chunk by chunk: every kind of problem is
    reported as one reader reports it (same lines, fields, order, at most 20), acts
    before a problem are loaded then rolled back, and a good file imports whole."""
    monkeypatch.setattr(jsonl, "CHUNK_LINES", 4)  # 40 acts: ten chunks to share
    state = app_state(client)
    load_acts(state.sessions, 40, seed=5)
    good = tmp_path / "good.jsonl"
    with state.sessions() as session, good.open("w", encoding="utf-8") as fh:
        export(session, fh, Actor("system:test"))
        session.commit()
    lines = good.read_text(encoding="utf-8").splitlines()
    header, end = lines[0], lines[-1]
    acts = [json.loads(line) for line in lines[1:-1]]
    with state.sessions() as session:
        for table in ("act_events", "marginal_notes", "acts", "registers"):
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()

    def dumped(items: list[dict[str, object]]) -> list[str]:
        return [json.dumps(a, ensure_ascii=False) for a in items]

    bad_lines = [json.loads(line) for line in lines[1:-1]]
    bad_lines[25]["fields"]["drawn_up_date"] = "1900-01-01"  # before the event
    bad_lines[31]["reference"] = "MK01-1999-N-999999"  # not its fields
    bad_lines[38]["fields"]["given_name_lat"] = "ⵢⵓⴱⴰ"  # not Latin letters
    many_bad = [json.loads(line) for line in lines[1:-1]]
    for a in many_bad[3:]:
        a["fields"]["given_name_ar"] = "Latin"
    escaped_end = '{"type": "\\u0065nd", "count": 40}'  # an end line all the same
    files = {
        "bad lines": [header, *dumped(bad_lines), end],
        "too many problems": [header, *dumped(many_bad), end],
        "truncated": [header, *dumped(acts[:30])],
        "end count": [header, *dumped(acts[:30]), end],
        "data after the end": [header, *dumped(acts[:9]), end, *dumped(acts[9:])],
        "not sijill": ['{"format": "other"}', *dumped(acts)],
        "escaped end": [header, *dumped(acts), escaped_end],
    }
    for name, body in files.items():
        path = tmp_path / "file.jsonl"
        path.write_text("\n".join(body) + "\n", encoding="utf-8")
        reports = []
        for workers in (0, 1, 2, 3):
            with state.sessions() as session:
                reports.append(
                    import_file(session, path, Actor("system:test"), batch=10, workers=workers)
                )
            if name != "escaped end":
                assert _count(client, Act) == 0, (name, workers)
            else:
                with state.sessions() as session:
                    for table in ("act_events", "marginal_notes", "acts", "registers"):
                        session.execute(text(f"DELETE FROM {table}"))
                    session.commit()
        serial = reports[0]
        for workers, report in enumerate(reports):
            assert report.errors == serial.errors, (name, workers)
            assert report.checked == serial.checked, (name, workers)
        if name == "escaped end":
            assert all(r.inserted == 40 for r in reports), name
        else:
            assert serial.errors, name
            assert all(r.inserted == 0 for r in reports), name
    path = tmp_path / "file.jsonl"
    path.write_text("\n".join(files["bad lines"]) + "\n", encoding="utf-8")
    with state.sessions() as session:
        report = import_file(session, path, Actor("system:test"), workers=2)
    assert len(report.errors) == 3, report.errors
    assert report.errors[0].startswith("line 27: fields: ")
    assert report.errors[1].startswith("line 33: reference MK01-1999-N-999999 does not match")
    assert report.errors[2].startswith("line 40: fields.given_name_lat: ")
    path.write_text("\n".join(files["too many problems"]) + "\n", encoding="utf-8")
    with state.sessions() as session:
        report = import_file(session, path, Actor("system:test"), workers=2)
    assert len(report.errors) == 20
    assert report.errors[0].startswith("line 5: fields.given_name_ar: ")
    with state.sessions() as session:
        report = import_file(session, good, Actor("system:test"), batch=10, workers=3)
    assert (report.inserted, report.errors) == (40, [])
    assert _count(client, Act) == 40


def test_cli_audit_verify_names_the_bad_entry(
    client: TestClient, staff: Staff, db_url: str, tmp_path: Path
) -> None:
    staff.make("someone", [Role.CLERK], ["MK01"])
    args = ["audit", "verify", "--database-url", db_url, "--data-dir", str(tmp_path)]
    ok = runner.invoke(cli, args)
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    engine = make_engine(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
            conn.execute(text("UPDATE audit_log SET ip = '6.6.6.6' WHERE seq = 2"))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("UPDATE audit_log SET ip = '6.6.6.6' WHERE seq = 2"))
    engine.dispose()
    bad = runner.invoke(cli, args)
    assert bad.exit_code == 1
    assert "broken at entry 2" in bad.output


def test_cli_seed_demo_creates_accounts_that_log_in(
    client: TestClient, db_url: str, tmp_path: Path
) -> None:
    args = ["seed-demo", "--acts", "50", "--database-url", db_url, "--data-dir", str(tmp_path)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert _count(client, Act) == 50
    again = runner.invoke(cli, [*args, "--if-empty"])
    assert again.exit_code == 0
    assert "no acts added" in again.output
    assert _count(client, Act) == 50
    officer = next(a for a in DEMO_ACCOUNTS if a.username == "officer")
    r = client.post(
        "/api/v1/auth/login", json={"username": officer.username, "password": officer.password}
    )
    assert r.json()["code"] == "totp_not_enrolled"  # an officer enrols TOTP first
    assert Staff(client).login(officer.username, officer.password)
    tokens = json.loads((tmp_path / "demo-terminals.json").read_text())
    me = client.get(
        "/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['kiosk-mk01-01']}"}
    )
    assert me.json()["kind"] == "terminal"
