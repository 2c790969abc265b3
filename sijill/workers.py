"""Several server processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's ``--workers`` shares one listening socket between its processes, and Linux hands
new connections to whichever process happens to be waiting: measured here with 8 and with
32 keep-alive clients, one of two workers took three quarters of the requests and the
other core stayed half idle. With a socket per process, the kernel spreads connections
over the processes by their addresses, so every core serves its share.

The parent only supervises: it forwards SIGTERM/SIGINT (each worker finishes its requests
and stops), restarts a worker that died, and its workers get SIGTERM from the kernel if
the parent itself dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import signal
import socket
import threading
import time
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
#: At most this many restarts of workers in a minute; beyond, something is wrong: stop.
MAX_RESTARTS_PER_MINUTE = 10


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def _check_port_free(host: str, port: int) -> None:
    """Fail at once, in the parent, when another program holds the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))  # not listening: it never takes a connection


def _worker(app_factory: str, host: str, port: int) -> None:
    import uvicorn

    with contextlib.suppress(OSError):  # SIGTERM from the kernel when the parent dies
        ctypes.CDLL("libc.so.6").prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    config = uvicorn.Config(app_factory, factory=True, log_config=None, access_log=False)
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def serve(app_factory: str, host: str, port: int, workers: int) -> int:
    """Run ``workers`` processes serving ``app_factory`` ("module:function") until SIGTERM.

    Returns the exit code: 0 after a requested stop, 1 when workers keep dying.
    """
    _check_port_free(host, port)
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(app_factory, host, port), daemon=True)
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    restarts: list[float] = []
    code = 0
    while not stop.is_set():
        wait([p.sentinel for p in processes], timeout=0.5)
        for index, process in enumerate(processes):
            if process.is_alive() or stop.is_set():
                continue
            now = time.monotonic()
            restarts = [t for t in restarts if now - t < 60] + [now]
            log.warning(
                "worker exited; restarting",
                extra={"pid": process.pid, "code": process.exitcode, "restarts": len(restarts)},
            )
            if len(restarts) > MAX_RESTARTS_PER_MINUTE:
                log.error("workers keep dying; stopping")
                code = 1
                stop.set()
                break
            processes[index] = start()
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    deadline = time.monotonic() + 15
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    return code
