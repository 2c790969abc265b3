"""The ingest's own MQTT subscriber: one socket, big reads, no per-message system call.

It connects, subscribes, hands each PUBLISH (topic, payload, receive time) to a callback,
acknowledges QoS 1, keeps the connection alive and reconnects with back-off. Commands and
configuration are published on a separate paho client.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence

from fleet_manager import wire

log = logging.getLogger(__name__)

OnMessage = Callable[[str, bytes, float], None]


class ReaderError(ConnectionError):
    pass


class MqttReader:
    def __init__(
        self,
        host: str,
        port: int,
        filters: Sequence[tuple[str, int]],
        on_message: OnMessage,
        client_id: str,
        username: str | None = None,
        password: str | None = None,
        tls: ssl.SSLContext | None = None,
        keepalive_s: int = 15,
        clean_session: bool = True,
    ) -> None:
        self.clean_session = clean_session
        self.host, self.port = host, port
        self.filters = list(filters)
        self.on_message = on_message
        self.client_id = client_id
        self.username, self.password = username, password
        self.tls = tls
        self.keepalive_s = keepalive_s
        self.subscribed = threading.Event()
        self.received = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="fleet-mqtt-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.sendall(wire.DISCONNECT_PACKET)
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                self._session()
                delay = 0.5
            except (OSError, ReaderError, wire.ProtocolError) as exc:
                if self._stop.is_set():
                    break
                log.warning("ingest connection to %s:%s lost: %s", self.host, self.port, exc)
            finally:
                self.subscribed.clear()
                if self._sock is not None:
                    self._sock.close()
                    self._sock = None
            self._stop.wait(delay)
            delay = min(delay * 2, 30.0)

    def _session(self) -> None:
        raw = socket.create_connection((self.host, self.port), timeout=10)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock = self.tls.wrap_socket(raw, server_hostname=self.host) if self.tls else raw
        self._sock = sock
        sock.sendall(
            wire.connect(
                self.client_id,
                self.keepalive_s,
                self.username,
                self.password,
                clean_session=self.clean_session,
            )
        )
        buffer = bytearray()
        sock.settimeout(min(1.0, self.keepalive_s / 3))
        last_sent = time.monotonic()
        sent_subscribe = False
        while not self._stop.is_set():
            try:
                chunk = sock.recv(1 << 20)
            except TimeoutError:
                chunk = None
            except ssl.SSLWantReadError:
                chunk = None
            now = time.monotonic()
            if chunk == b"":
                raise ReaderError("broker closed the connection")
            out = bytearray()
            if chunk:
                buffer += chunk
                packets, used = wire.split(buffer)
                del buffer[:used]
                received = time.time()
                for p in packets:
                    if p.kind == wire.PUBLISH:
                        topic, payload, qos, packet_id = wire.parse_publish(p)
                        self.received += 1
                        self.on_message(topic, payload, received)
                        if qos == 1:
                            out += wire.puback(packet_id)
                    elif p.kind == wire.CONNACK:
                        if len(p.body) < 2 or p.body[1] != 0:
                            code = p.body[1] if len(p.body) > 1 else -1
                            raise ReaderError(f"broker refused the connection (code {code})")
                        out += wire.subscribe(1, self.filters)
                        sent_subscribe = True
                    elif p.kind == wire.SUBACK:
                        if any(code == 0x80 for code in p.body[2:]):
                            raise ReaderError("broker refused a subscription")
                        self.subscribed.set()
                        log.info("ingest subscribed at %s:%s", self.host, self.port)
            if sent_subscribe and not out and now - last_sent >= self.keepalive_s / 2:
                out += wire.PINGREQ_PACKET
            if out:
                sock.sendall(out)
                last_sent = now
