"""A lean HTTP/1.1 client for the benchmarks: keep-alive sockets, requests encoded up front.

The benches run the server, its database and the load on the same two cores. A general
client (httpx) spends about 0.7 ms of CPU per call there, as much as the server's own
empty endpoint; that CPU is taken from the server and its time is added to every
latency measured. This client sends ready-made bytes and reads one response by its
Content-Length (the server under test always sends one), in about a tenth of that, as
load tools such as wrk do.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

_END_OF_HEAD = b"\r\n\r\n"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection to ``host:port``, used by one thread at a time."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        self.host = host
        self._headers = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._sock = socket.create_connection((host, port))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def encode(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> bytes:
        """The request's bytes, made once and sent as many times as wanted."""
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self._headers}{extra}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        return head.encode("latin-1") + b"\r\n" + payload

    def send(self, request: bytes) -> Response:
        self._sock.sendall(request)
        while (end := self._buffer.find(_END_OF_HEAD)) < 0:
            self._buffer += self._receive()
        head = self._buffer[:end]
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
                break
        start = end + len(_END_OF_HEAD)
        while len(self._buffer) < start + length:
            self._buffer += self._receive()
        body = self._buffer[start : start + length]
        self._buffer = self._buffer[start + length :]
        return Response(status, body)

    def _receive(self) -> bytes:
        chunk = self._sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        self._sock.close()


def timed(conn: Connection, requests: Iterable[bytes], expect: int = 200) -> list[float]:
    """Send requests one after the other: each one's latency in seconds."""
    out = []
    for request in requests:
        started = time.perf_counter()
        response = conn.send(request)
        out.append(time.perf_counter() - started)
        if response.status != expect:
            raise RuntimeError(f"HTTP {response.status}: {response.body[:300]!r}")
    return out


def throughput(
    connect: Callable[[], Connection],
    make: Callable[[Connection, int], bytes],
    count: int,
    clients: int,
) -> tuple[float, list[int]]:
    """``count`` requests from ``clients`` concurrent connections: (requests/s, statuses)."""
    conns = [connect() for _ in range(clients)]
    batches: list[list[bytes]] = [[] for _ in range(clients)]
    for i in range(count):
        batches[i % clients].append(make(conns[i % clients], i))

    def run(index: int) -> Sequence[int]:
        return [conns[index].send(request).status for request in batches[index]]

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(run, range(clients)))
    rate = count / (time.perf_counter() - started)
    for conn in conns:
        conn.close()
    return rate, [status for batch in results for status in batch]
