"""``sijill records serve --workers N``: every worker takes connections, a dead one comes back,
SIGTERM stops them all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from sijill.ports import free_port

pytestmark = pytest.mark.integration

WORKERS = 2
CONNECTIONS = 24


def _healthy(base: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def _workers(parent: psutil.Process, port: int) -> list[psutil.Process]:
    """The parent's children that listen on the port (not multiprocessing's helper)."""
    return [
        child
        for child in parent.children()
        if any(
            c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in child.net_connections()
        )
    ]


def _listening_inode(worker: psutil.Process, port: int) -> str:
    fds = [
        c.fd
        for c in worker.net_connections()
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert len(fds) == 1
    return os.readlink(f"/proc/{worker.pid}/fd/{fds[0]}")  # "socket:[inode]"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    command = [sys.executable, "-m", "sijill", "records", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--data-dir", str(tmp_path), "--workers", str(WORKERS)]
    env = {**os.environ, "SIJILL_RECORDS_ARGON2_MEMORY_KIB": "64"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _healthy(f"http://127.0.0.1:{port}"), "the records server did not become healthy"
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_every_worker_takes_connections(server: tuple[subprocess.Popen[bytes], int]) -> None:
    proc, port = server
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    while len(_workers(parent, port)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _workers(parent, port)
    assert len(workers) == WORKERS
    # Each with a listening socket of its own (one shared socket shows the same inode in
    # every worker, and under load one worker then takes most of the connections).
    assert len({_listening_inode(w, port) for w in workers}) == WORKERS
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(CONNECTIONS)]
    try:
        for client in clients:
            assert client.get("/healthz").status_code == 200
        # Kept alive: each connection now belongs to the worker that accepted it. With one
        # socket shared, a single worker took nearly all of them.
        served = {
            w.pid: sum(
                1
                for c in w.net_connections()
                if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port
            )
            for w in workers
        }
    finally:
        for client in clients:
            client.close()
    assert sum(served.values()) == CONNECTIONS
    # The kernel spreads connections by their addresses: all 24 on one of two workers
    # would happen once in eight million runs.
    assert all(count > 0 for count in served.values()), served


def test_a_dead_worker_is_replaced_and_sigterm_stops_all(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = server
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 30
    while len(_workers(parent, port)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.1)
    victim = _workers(parent, port)[0]
    victim.kill()
    victim.wait(10)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pids = {w.pid for w in _workers(parent, port)}
        if len(pids) == WORKERS and victim.pid not in pids:
            break
        time.sleep(0.2)
    workers = _workers(parent, port)
    assert len(workers) == WORKERS
    assert victim.pid not in {w.pid for w in workers}
    assert _healthy(f"http://127.0.0.1:{port}")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
