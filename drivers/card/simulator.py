"""Sijill's own virtual cards on vpcd, and an in-process card reader for the demo.

vpcd (vsmartcard) listens on TCP (35963 for "Virtual PCD 00 00"); a card connects to it and
exchanges frames of a 2-byte big-endian length and a payload. A 1-byte payload is a control
(0 power off, 1 power on, 2 reset, 4 ATR request); anything longer is an APDU to answer.
The applets are in ``applets.py``. Faults are set at run time: pull the card after N APDUs,
answer slowly.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

from drivers.card.applets import Applet
from drivers.card.badge import read_badge
from drivers.card.emrtd import read_dg1
from drivers.card.interface import BadgeIdentity, CardEvent, CardKind, CardListener
from drivers.card.mrz import BacKey, Dg1
from drivers.card.reader import identify
from drivers.errors import CardRemoved, DeviceTimeout, DeviceUnavailable
from protocol.health import DeviceHealth

VPCD_PORT = 35963
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


#: pcscd polls a vpcd reader's presence every 400 ms. A card put in less than a poll after
#: the previous one left is never seen as a change, so pcscd would not power it up: like a
#: hand, the virtual card waits that long between a removal and the next insertion.
SWAP_GAP_S = 1.0
_last_removal: dict[tuple[str, int], float] = {}


class VirtualCard:
    """Puts an applet into vpcd's reader: ``insert()`` connects, ``remove()`` disconnects."""

    def __init__(self, applet: Applet, host: str = "127.0.0.1", port: int = VPCD_PORT) -> None:
        self.applet = applet
        self.host = host
        self.port = port
        #: Fault: disconnect (card pulled) right after answering this many APDUs.
        self.pull_after_apdus: int | None = None
        #: Fault: wait this long before each answer (a slow or badly coupled card).
        self.delay_s = 0.0
        self.apdu_count = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def inserted(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def insert(self, timeout: float = 10.0) -> VirtualCard:
        """Connect to vpcd, retrying while it is not listening yet (pcscd starting)."""
        gap = _last_removal.get((self.host, self.port), 0.0) + SWAP_GAP_S - time.monotonic()
        if gap > 0:
            time.sleep(gap)
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(0.2)
        self._sock = sock
        self._stop.clear()
        self.apdu_count = 0
        self.applet.reset()
        self._thread = threading.Thread(target=self._run, args=(sock,), daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        self._stop.set()
        sock = self._sock
        self._sock = None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _recv_exact(self, sock: socket.socket, n: int) -> bytes | None:
        buf = b""
        while len(buf) < n:
            if self._stop.is_set():
                return None
            try:
                part = sock.recv(n - len(buf))
            except TimeoutError:
                continue
            except OSError:
                return None
            if not part:
                return None
            if _QUICKACK is not None:
                # vpcd's socket has Nagle on: acknowledge at once, or each APDU waits for
                # our delayed ACK (~40 ms). Linux clears the flag after use: set it each time.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            buf += part
        return buf

    def _send(self, sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _run(self, sock: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                head = self._recv_exact(sock, 2)
                if head is None:
                    return
                payload = self._recv_exact(sock, struct.unpack(">H", head)[0])
                if payload is None:
                    return
                if len(payload) == 1:
                    if payload[0] == 0x04:
                        self._send(sock, self.applet.atr)
                    elif payload[0] in (0x00, 0x01, 0x02):
                        self.applet.reset()
                    continue
                if self.delay_s:
                    time.sleep(self.delay_s)
                self._send(sock, self.applet.process(payload))
                self.apdu_count += 1
                if self.pull_after_apdus is not None and self.apdu_count >= self.pull_after_apdus:
                    self.pull_after_apdus = None
                    return  # the holder pulled the card between two APDUs
        except OSError:
            return
        finally:
            with contextlib.suppress(OSError):
                sock.close()
            _last_removal[(self.host, self.port)] = time.monotonic()


class AppletChannel:
    """A ``CardChannel`` straight to an applet, in-process (no pcscd): demo and unit tests."""

    def __init__(self, applet: Applet) -> None:
        self.applet = applet
        #: Fault: raise CardRemoved once this many APDUs were answered.
        self.pull_after_apdus: int | None = None
        self.delay_s = 0.0
        self.count = 0

    def transmit(self, apdu: bytes, timeout: float = 5.0) -> tuple[bytes, int]:
        if self.pull_after_apdus is not None and self.count >= self.pull_after_apdus:
            raise CardRemoved("simulated card pulled")
        if self.delay_s > timeout:
            time.sleep(timeout)
            raise DeviceTimeout("simulated card too slow")
        time.sleep(self.delay_s)
        self.count += 1
        answer = self.applet.process(apdu)
        return answer[:-2], int.from_bytes(answer[-2:], "big")


class SimulatedCardReader:
    """A ``CardReader`` holding an in-process card, for the kiosk demo without pcscd."""

    def __init__(self) -> None:
        self.card: AppletChannel | None = None
        self.plugged = True
        self._listeners: list[CardListener] = []

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def add_listener(self, listener: CardListener) -> None:
        self._listeners.append(listener)

    def insert(self, applet: Applet) -> AppletChannel:
        self.card = AppletChannel(applet)
        applet.reset()
        self._emit(CardEvent.CARD_INSERTED)
        return self.card

    def remove(self) -> None:
        self.card = None
        self._emit(CardEvent.CARD_REMOVED)

    def _emit(self, event: CardEvent) -> None:
        for listener in list(self._listeners):
            listener(event, "simulated reader")

    def health(self) -> DeviceHealth:
        if not self.plugged:
            return DeviceHealth.absent("card reader not connected")
        return DeviceHealth.ok(reader="simulated reader", card_present=self.card is not None)

    def wait_for_card(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.card is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.card is not None

    def _channel(self) -> AppletChannel:
        if not self.plugged:
            raise DeviceUnavailable("card reader not connected")
        if self.card is None:
            raise CardRemoved("no card in the reader")
        return self.card

    def card_kind(self, timeout: float | None = None) -> CardKind:
        return identify(self._channel(), timeout or 5.0)

    def read_document(self, key: BacKey, timeout: float | None = None) -> Dg1:
        return read_dg1(self._channel(), key, timeout or 5.0)

    def read_badge(self, pin: str, timeout: float | None = None) -> BadgeIdentity:
        return read_badge(self._channel(), pin, timeout or 5.0)
