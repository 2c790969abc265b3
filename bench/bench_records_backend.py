"""Records backend: bulk import, lookup and name search latency, submissions per second.

Run: ``.venv/bin/python bench/bench_records_backend.py [--acts 100000] [--engine both]``
(``--acts 1000000`` for the full Meknes size). The API runs in its own uvicorn processes, as
in production; every API figure is printed beside the raw SQL time of the same query and the
latency of an endpoint that touches no database (the framework's floor), in the same run.

Targets: bulk import >= 10,000 acts/s on SQLite; lookup p99 <= 5 ms and <= 2x the floor;
name search p99 <= 30 ms; >= 500 submissions/s on PostgreSQL (with the audit chain).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import http_load  # bench/, beside this file
import httpx
import psycopg
import pyotp
from sqlalchemy import Engine, select

from records_backend.audit.log import Actor, verify
from records_backend.db.engine import make_engine, make_session_factory
from records_backend.db.migrate import upgrade
from records_backend.db.models import Act, Office
from records_backend.demo.seed import load_acts
from records_backend.domain.acts import ActKind, reference_of
from records_backend.domain.roles import Role
from records_backend.exchange.jsonl import export, import_file
from records_backend.security import second_factor
from records_backend.security.passwords import Passwords
from records_backend.services.accounts import create_terminal, create_user
from records_backend.services.offices import ensure_offices
from records_backend.services.principal import Principal
from records_backend.services.search import NameQuery, build_query, order_of
from sijill.ports import free_port

PG_ADMIN = os.environ.get(
    "SIJILL_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "bench-password-1"
Row = tuple[str, ...]


def pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


@contextmanager
def database(engine_name: str, base: Path) -> Iterator[str]:
    """A fresh, empty database URL of the given engine, removed afterwards."""
    if engine_name == "sqlite":
        folder = Path(tempfile.mkdtemp(dir=base))
        yield f"sqlite:///{folder / 'records.db'}"
        return
    name = f"sijill_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        root = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        yield f"{root}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepared(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        ensure_offices(session)
    return engine


def start_server(url: str, data: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIJILL_RECORDS_DATABASE_URL": url, "SIJILL_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "sijill", "records", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(data), "--workers", str(workers)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not become healthy")


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the import's worker)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bulk_import(
    engine_name: str, engine: Engine, base: Path, count: int
) -> tuple[float, int, float, float]:
    """Export ``count`` acts to JSON Lines, import them into an empty database: acts/s,
    acts, and the import's CPU seconds in this process and in its worker process."""
    path = base / f"{engine_name}-export.jsonl"
    with make_session_factory(engine)() as session, path.open("w", encoding="utf-8") as fh:
        exported = export(session, fh, Actor("system:bench"), office=None, limit=count)
        session.commit()
    with database(engine_name, base) as url:
        target = prepared(url)
        started, cpu, worker_cpu = time.perf_counter(), time.process_time(), children_cpu()
        with make_session_factory(target)() as session:
            report = import_file(session, path, Actor("system:bench"))
        rate = report.inserted / (time.perf_counter() - started)
        cpu, worker_cpu = time.process_time() - cpu, children_cpu() - worker_cpu
        target.dispose()
    path.unlink()
    assert not report.errors, report.errors
    return rate, exported, cpu, worker_cpu


def run_import_only(engine_name: str, acts: int, base: Path, rows: list[Row]) -> None:
    """Only the bulk import (``--only import``): demo acts, exported, imported anew."""
    with database(engine_name, base) as url:
        engine = prepared(url)
        load_acts(make_session_factory(engine), acts, seed=11)
        import_rate, imported, cpu, worker_cpu = bulk_import(
            engine_name, engine, base, min(acts, 100_000)
        )
        engine.dispose()
    rows.append(
        (
            engine_name,
            f"bulk import ({imported:,} acts JSONL)",
            f"{import_rate:,.0f} acts/s",
            # CPU time is less noisy than wall time on a shared machine: this process
            # (inserts) and the worker process that checks the lines meanwhile.
            f"cpu {cpu:.1f} s",
            f"worker cpu {worker_cpu:.1f} s",
            "",
        )
    )


def run(engine_name: str, acts: int, base: Path, rows: list[Row], workers: int) -> None:
    with database(engine_name, base) as url:
        engine = prepared(url)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        load_acts(sessions, acts, seed=11)
        demo_rate = acts / (time.perf_counter() - started)
        import_rate, imported, _cpu, _worker_cpu = bulk_import(
            engine_name, engine, base, min(acts, 100_000)
        )
        with sessions.begin() as session:
            bench_user = create_user(
                session,
                Passwords(1, 64),
                Principal.system(),
                username="bench",
                full_name="Bench",
                password=PASSWORD,
                roles=[Role.OFFICE_HEAD],
                office_codes=[],
                all_offices=True,
            )
            # Office heads pass a TOTP code at login: enrol one as the staff pages do, with
            # a code a minute old so the login's code (this step) is still unused.
            totp_secret = second_factor.secret_for_setup(session, bench_user.id)
            then = time.time() - 60
            enrol_code = pyotp.TOTP(totp_secret).at(then)
            bench_actor = Actor("system:bench")
            assert second_factor.verify(session, bench_actor, bench_user.id, enrol_code, then)
            _t, terminal_token = create_terminal(
                session, Principal.system(), "kiosk-bench-01", "MK01"
            )
            codes = {oid: code for oid, code in session.execute(select(Office.id, Office.code))}
            picked = random.Random(5).sample(range(1, acts + 1), min(500, acts))
            sample = list(
                session.execute(
                    select(
                        Act.office_id,
                        Act.year,
                        Act.kind,
                        Act.number,
                        Act.event_date,
                        Act.family_name_lat,
                        Act.given_name_lat,
                        Act.family_name_ar,
                        Act.given_name_ar,
                    ).where(Act.id.in_(picked))
                ).all()
            )
        refs = [reference_of(codes[s[0]], s[1], ActKind(s[2]), s[3]) for s in sample]
        rng = random.Random(1)
        names = [
            {"family": s[5], "given": s[6]}
            if rng.random() < 0.5
            else {"family": s[7], "given": s[8]}
            for s in sample
        ]
        data = base / f"{engine_name}-data"
        data.mkdir()
        port = free_port()
        proc = start_server(url, data, port, workers)
        try:
            floor, lookup, search, sub_rate, failed = drive(
                port, refs, names, sample, terminal_token, totp_secret
            )
        finally:
            proc.terminate()
            proc.wait(20)
        raw_lookup, raw_search = raw_times(engine, sample, names, 1000)
        with sessions() as session:
            chain = verify(session)
        engine.dispose()
    p = pct
    rows.append(
        (engine_name, "demo load (generate + insert)", f"{demo_rate:,.0f} acts/s", "", "", "")
    )
    rows.append(
        (
            engine_name,
            f"bulk import ({imported:,} acts JSONL)",
            f"{import_rate:,.0f} acts/s",
            "",
            "",
            "",
        )
    )
    rows.append(
        (
            engine_name,
            "empty endpoint (floor)",
            f"{p(floor, 50):.2f}",
            f"{p(floor, 99):.2f}",
            "",
            "",
        )
    )
    rows.append(
        (
            engine_name,
            "lookup by reference",
            f"{p(lookup, 50):.2f}",
            f"{p(lookup, 99):.2f}",
            f"{p(raw_lookup, 50):.3f}",
            f"{p(raw_lookup, 99):.3f}",
        )
    )
    rows.append(
        (
            engine_name,
            "name search",
            f"{p(search, 50):.2f}",
            f"{p(search, 99):.2f}",
            f"{p(raw_search, 50):.3f}",
            f"{p(raw_search, 99):.3f}",
        )
    )
    rows.append(
        (
            engine_name,
            "submissions (8 clients)",
            f"{sub_rate:,.0f}/s",
            f"{failed} failed",
            "",
            f"chain {'ok' if chain.ok else 'BROKEN'} ({chain.checked:,})",
        )
    )


def drive(
    port: int,
    refs: list[str],
    names: list[dict[str, str]],
    sample: list[Any],
    terminal: str,
    totp_secret: str,
) -> tuple[list[float], list[float], list[float], float, int]:
    """Latencies one call at a time, then submissions from 8 concurrent clients.

    The load goes through ``http_load`` (ready-made requests on keep-alive sockets): httpx
    would spend as much CPU per call as the server's empty endpoint, on the same cores.
    """
    rng = random.Random(3)
    code = pyotp.TOTP(totp_secret).now()
    login = httpx.post(
        f"http://127.0.0.1:{port}/api/v1/auth/login",
        json={"username": "bench", "password": PASSWORD, "totp_code": code},
    )
    staff = {"Authorization": f"Bearer {login.json()['access_token']}"}
    conn = http_load.Connection("127.0.0.1", port, staff)

    def lookups(n: int) -> list[bytes]:
        return [
            conn.encode("GET", f"/api/v1/acts/by-reference/{rng.choice(refs)}") for _ in range(n)
        ]

    def searches(n: int) -> list[bytes]:
        return [
            conn.encode("GET", "/api/v1/acts/search?" + urlencode(rng.choice(names)))
            for _ in range(n)
        ]

    jwks = conn.encode("GET", "/api/v1/auth/jwks")
    # Warm up every worker (each keeps its own caches and compiled statements).
    http_load.timed(conn, [jwks] * 100 + lookups(100) + searches(100))
    n = 1000
    floor = http_load.timed(conn, [jwks] * n)
    lookup = http_load.timed(conn, lookups(n))
    search = http_load.timed(conn, searches(n))
    conn.close()

    def submission(c: http_load.Connection, i: int) -> bytes:
        body = {
            "idempotency_key": f"bench-{uuid.uuid4().hex}",
            "act_reference": refs[i % len(refs)],
            "event_date": sample[i % len(sample)][4].isoformat(),
            "document": "extract",
            "copies": 1,
            "pickup_office": "MK01",
            "requester_name": "Bench Requester",
            "requester_relation": "self",
        }
        return c.encode("POST", "/api/v1/requests", body)

    kiosk = {"Authorization": f"Bearer {terminal}"}
    rate, statuses = http_load.throughput(
        lambda: http_load.Connection("127.0.0.1", port, kiosk), submission, 2000, 8
    )
    return floor, lookup, search, rate, sum(1 for s in statuses if s != 201)


def raw_times(
    engine: Engine, sample: list[Any], names: list[dict[str, str]], n: int
) -> tuple[list[float], list[float]]:
    """The same queries through the bare driver cursor: the database's share of the time."""
    rng = random.Random(2)
    dialect = engine.dialect
    sqlite = dialect.name == "sqlite"

    def mark(key: str) -> str:
        return f":{key}" if sqlite else f"%({key})s"

    lookup_sql = (
        f"SELECT * FROM acts WHERE office_id = {mark('o')} AND year = {mark('y')} "
        f"AND kind = {mark('k')} AND number = {mark('n')}"
    )
    searches = []
    for q in names:
        query = NameQuery(family=q["family"], given=q["given"])
        stmt = build_query(query).order_by(*order_of(query)).limit(21)
        searches.append(str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True})))
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()

        def one_lookup() -> None:
            s = rng.choice(sample)
            cur.execute(lookup_sql, {"o": s[0], "y": s[1], "k": s[2], "n": s[3]})
            cur.fetchall()

        def one_search() -> None:
            cur.execute(rng.choice(searches))
            cur.fetchall()

        lookups = timed(one_lookup, n)
        found = timed(one_search, n)
        raw.rollback()
    finally:
        raw.close()
    return lookups, found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--acts", type=int, default=100_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--only", choices=["import"], help="run only this part (import: the bulk import)"
    )
    args = parser.parse_args()
    rows: list[Row] = []
    base = Path(tempfile.mkdtemp(prefix="sijill-bench-"))
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    try:
        for name in engines:
            if args.only == "import":
                run_import_only(name, args.acts, base, rows)
            else:
                run(name, args.acts, base, rows, args.workers)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(
        f"\nrecords backend, {args.acts:,} acts, {os.cpu_count()} cores, "
        f"{args.workers} uvicorn workers (ms unless stated)"
    )
    header = ("engine", "measure", "API p50", "API p99", "raw SQL p50", "raw SQL p99")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
