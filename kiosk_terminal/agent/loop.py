"""One event loop driving many agents' sockets (paho's thread per client does not scale).

Each agent's paho client tells the loop when its socket opens, closes or has bytes to
write; the loop reads and writes what is ready, runs paho's keep-alive duty in slices,
and sends each agent's telemetry when due (a heap keyed by due time).
"""

from __future__ import annotations

import contextlib
import heapq
import logging
import selectors
import time
from typing import TYPE_CHECKING, Any

from paho.mqtt.client import Client
from paho.mqtt.enums import MQTTErrorCode

from kiosk_terminal.agent.agent import TerminalAgent

if TYPE_CHECKING:
    from paho.mqtt.client import SocketLike

log = logging.getLogger(__name__)

_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE


class SocketLoop:
    def __init__(self, misc_period_s: float = 1.0, reconnect_after_s: float = 2.0) -> None:
        self.selector = selectors.DefaultSelector()
        self.agents: list[TerminalAgent] = []
        self._frozen: set[int] = set()
        self._due: list[tuple[float, int]] = []
        self._misc_period_s = misc_period_s
        self._misc_cursor = 0
        self._reconnect_after_s = reconnect_after_s
        self._lost_at: dict[int, float] = {}

    # --- registration ------------------------------------------------------------------
    def add(self, agent: TerminalAgent, connect: bool = True) -> int:
        index = len(self.agents)
        self.agents.append(agent)
        client = agent.client
        client.on_socket_open = self._opened(agent)
        client.on_socket_close = self._closed
        client.on_socket_register_write = self._want_write(agent, True)
        client.on_socket_unregister_write = self._want_write(agent, False)
        heapq.heappush(self._due, (time.monotonic(), index))
        if connect:
            self._connect(index)
        return index

    def _connect(self, index: int) -> None:
        try:
            self.agents[index].connect()
            self._lost_at.pop(index, None)
        except OSError as exc:
            log.warning("connect failed for %s: %s", self.agents[index].options.terminal_id, exc)
            self._lost_at[index] = time.monotonic()

    def _opened(self, agent: TerminalAgent) -> Any:
        def on_open(_client: Client, _userdata: Any, sock: SocketLike) -> None:
            self.selector.register(sock, _READ, agent)

        return on_open

    def _closed(self, _client: Client, _userdata: Any, sock: SocketLike) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(sock)

    def _want_write(self, agent: TerminalAgent, on: bool) -> Any:
        def change(_client: Client, _userdata: Any, sock: SocketLike) -> None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.modify(sock, _READ | _WRITE if on else _READ, agent)

        return change

    # --- faults --------------------------------------------------------------------------
    def freeze(self, index: int) -> None:
        """Stop serving the agent's socket but keep it open: the broker's keep-alive ends it."""
        self._frozen.add(index)
        agent = self.agents[index]
        agent.stopped = True
        sock = agent.client.socket()
        if sock is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(sock)

    def kill(self, index: int) -> None:
        """Drop the connection without DISCONNECT, as a killed process or a cut cable would."""
        agent = self.agents[index]
        agent.stopped = True
        self._frozen.add(index)
        sock = agent.client.socket()
        if sock is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(sock)
            sock.close()

    def stop_all(self) -> None:
        for index, agent in enumerate(self.agents):
            if index not in self._frozen and agent.connected.is_set():
                agent.stop()
        # flush the offline states and DISCONNECTs already queued
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and any(
            a.client.want_write() for a in self.agents if a.client.socket() is not None
        ):
            self.run_once(0.05)

    # --- the loop ------------------------------------------------------------------------
    def run_once(self, timeout_s: float = 0.05) -> None:
        for key, mask in self.selector.select(timeout_s):
            agent: TerminalAgent = key.data
            client = agent.client
            if mask & _READ:
                rc = client.loop_read(20)
                if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    continue
            if mask & _WRITE:
                client.loop_write()
        now = time.monotonic()
        self._misc(now)
        self._telemetry(now)

    def _misc(self, now: float) -> None:
        # Keep-alive and retries: a slice of agents per pass covers them all each period.
        count = len(self.agents)
        if not count:
            return
        per_pass = max(1, count // max(1, int(self._misc_period_s / 0.05)))
        for _ in range(min(per_pass, count)):
            index = self._misc_cursor % count
            self._misc_cursor += 1
            if index in self._frozen:
                continue
            agent = self.agents[index]
            if agent.client.socket() is None:
                lost = self._lost_at.setdefault(index, now)
                if not agent.stopped and now - lost >= self._reconnect_after_s:
                    self._connect(index)
                continue
            agent.client.loop_misc()

    def _telemetry(self, now: float) -> None:
        while self._due and self._due[0][0] <= now:
            _, index = heapq.heappop(self._due)
            if index in self._frozen:
                continue
            next_at = self.agents[index].tick(now)
            heapq.heappush(self._due, (next_at, index))

    def run_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.run_once()
