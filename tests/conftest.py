"""Fixtures shared by every test: real PostgreSQL, a Mosquitto of our own, unique roots.

PostgreSQL: the machine's server (``SIJILL_TEST_PG_ADMIN_URL``, default the local trust
server on 127.0.0.1:5432) gets a throw-away database per test session; when none answers,
a private cluster is initialised in a temporary directory instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from central_broker.runner import RunningBroker, start_loopback_broker
from drivers.card.pcscd import Pcscd
from drivers.card.simulator import VirtualCard
from sijill.ports import free_port
from tests.pg_databases import throwaway_database

DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _pg_answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _private_cluster(base: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """initdb + pg_ctl in a temporary directory (initdb refuses root: run as postgres)."""
    bindirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bindirs:
        raise RuntimeError("PostgreSQL is not installed: run the README test command")
    bindir = bindirs[-1]
    data = base / "pgdata"
    base.mkdir(parents=True, exist_ok=True)
    shutil.chown(base, "postgres")
    port = free_port()
    as_pg = ["su", "postgres", "-c"] if os.geteuid() == 0 else ["sh", "-c"]
    subprocess.run(
        [*as_pg, f"{bindir}/initdb -D {data} -A trust -U postgres >/dev/null"], check=True
    )
    subprocess.run(
        [
            *as_pg,
            f"{bindir}/pg_ctl -D {data} -l {base}/pg.log -w start "
            f"-o '-p {port} -k {base} -c listen_addresses=127.0.0.1'",
        ],
        check=True,
    )
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", None


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    url = os.environ.get("SIJILL_TEST_PG_ADMIN_URL", DEFAULT_PG_ADMIN)
    if _pg_answers(url):
        yield url
        return
    base = Path(tempfile.mkdtemp(prefix="sijill-pg-"))
    private, _ = _private_cluster(base)
    try:
        yield private
    finally:
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        as_pg = ["su", "postgres", "-c"] if os.geteuid() == 0 else ["sh", "-c"]
        subprocess.run([*as_pg, f"{bindir}/pg_ctl -D {base}/pgdata -m fast stop"], check=False)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A throw-away database for the records backend's tests, as a SQLAlchemy URL.

    Other components take their own with ``throwaway_database(postgres_admin_url, prefix)``
    so that their tables never meet.
    """
    with throwaway_database(postgres_admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBroker]:
    """A Mosquitto of Sijill's own on a free loopback port, from the production generator."""
    broker = start_loopback_broker(tmp_path_factory.mktemp("broker"))
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def topic_root() -> str:
    """A topic root no other test or run shares."""
    return f"test-{uuid.uuid4().hex[:12]}/sijill/v1"


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """pcscd with vpcd, one for the whole run (the drivers' and the kiosk's card tests).

    Used as found when one already answers on /run/pcscd/pcscd.comm; otherwise started here
    (``pcscd --foreground``), waited for, and stopped at the end. Defined once, here: a
    second definition would start a second daemon owner and the tests that restart pcscd
    would find it running under someone else.
    """
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log").ensure(timeout=30)
    yield daemon
    if daemon.owned:
        daemon.stop()


@pytest.fixture
def cards() -> Iterator[list[VirtualCard]]:
    """Virtual cards a test put in the reader (append them): each is removed afterwards."""
    inserted: list[VirtualCard] = []
    yield inserted
    for card in inserted:
        card.remove()
