"""A sliding-window limit per key (client address), kept in memory.

One process serves the portal in the default set-up; several API nodes would share it
through the database or a proxy's own limit instead.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            return True

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window_s]
        for k in idle:
            del self._hits[k]


def client_address(peer: str | None, forwarded_for: str | None, trusted: list[str]) -> str:
    """The address to rate-limit: the peer, or the proxy's view when the peer is trusted.

    Only the right-most entry of X-Forwarded-For is taken: it is the one the trusted proxy
    appended; entries to its left come from the client and can be forged.
    """
    peer = peer or "unknown"
    if peer not in trusted or not forwarded_for:
        return peer
    last = forwarded_for.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return peer
