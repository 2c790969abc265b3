"""PC/SC through pyscard's low-level API: result codes, and a supervised polling loop.

pyscard's CardMonitor thread dies silently when pcscd goes away; this loop instead
re-establishes its context for as long as it runs, so the reader comes back by itself after
pcscd restarts or the reader is plugged in again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smartcard import scard

from drivers.card.interface import CardEvent, CardListener
from drivers.errors import CardRemoved, DeviceError, DeviceTimeout, DeviceUnavailable
from protocol.health import DeviceHealth

log = logging.getLogger(__name__)


def code_of(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


_SERVICE_GONE = {code_of(scard.SCARD_E_NO_SERVICE), code_of(scard.SCARD_E_SERVICE_STOPPED)}
_NO_READERS = code_of(scard.SCARD_E_NO_READERS_AVAILABLE)
_CARD_GONE = {
    code_of(scard.SCARD_W_REMOVED_CARD),
    code_of(scard.SCARD_E_NO_SMARTCARD),
    code_of(scard.SCARD_W_RESET_CARD),
    code_of(scard.SCARD_W_UNPOWERED_CARD),
    code_of(scard.SCARD_E_COMM_DATA_LOST),
    code_of(scard.SCARD_F_COMM_ERROR),
    code_of(scard.SCARD_E_NOT_TRANSACTED),
    code_of(scard.SCARD_W_UNRESPONSIVE_CARD),
}
_READER_GONE = {
    code_of(scard.SCARD_E_READER_UNAVAILABLE),
    code_of(scard.SCARD_E_UNKNOWN_READER),
    code_of(scard.SCARD_E_INVALID_HANDLE),
}


def error_for(hresult: int, what: str) -> DeviceError:
    """The Sijill error a PC/SC result code means."""
    code = code_of(hresult)
    message = f"{what}: {scard.SCardGetErrorMessage(hresult)}"
    if code in _CARD_GONE:
        return CardRemoved(message)
    if code in _SERVICE_GONE or code in _READER_GONE or code == _NO_READERS:
        return DeviceUnavailable(message)
    if code == code_of(scard.SCARD_E_TIMEOUT):
        return DeviceTimeout(message)
    return DeviceError(message)


@dataclass(frozen=True, slots=True)
class ReaderState:
    service: bool = False
    reader: str | None = None
    card_present: bool = False
    card_mute: bool = False


class ReaderMonitor:
    """Polls pcscd for the wanted reader and its card; never stops until told to."""

    def __init__(self, reader_match: str, poll_s: float = 0.1) -> None:
        self.reader_match = reader_match
        self.poll_s = poll_s
        self.state = ReaderState()
        self.last_tick = 0.0
        self._listeners: list[CardListener] = []
        self._context: Any = None
        self._stop = threading.Event()
        self._changed = threading.Condition(threading.RLock())
        self._thread: threading.Thread | None = None

    def add_listener(self, listener: CardListener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._release()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_for(self, predicate: Callable[[ReaderState], bool], timeout: float) -> bool:
        """Wait until ``predicate(state)`` holds; False when ``timeout`` runs out."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.state):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def health(self) -> DeviceHealth:
        state = self.state
        if not self.alive:
            return DeviceHealth.unknown("card reader monitor is not running")
        if not self.last_tick:
            return DeviceHealth.unknown("card reader not polled yet")
        if time.monotonic() - self.last_tick > max(5.0, 20 * self.poll_s):
            return DeviceHealth.degraded("card reader monitor is stuck")
        if not state.service:
            return DeviceHealth.absent("PC/SC service (pcscd) not reachable")
        if state.reader is None:
            return DeviceHealth.absent("card reader not connected")
        if state.card_mute:
            return DeviceHealth.degraded("card in the reader does not answer", reader=state.reader)
        return DeviceHealth.ok(reader=state.reader, card_present=state.card_present)

    # -- the loop --------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = self.poll_s
        while not self._stop.is_set():
            try:
                self._tick()
                backoff = self.poll_s
            except Exception:  # the loop must outlive any surprise; it is supervised here
                log.exception("card reader poll failed; retrying")
                self._release()
                backoff = min(2.0, backoff * 2)
            self.last_tick = time.monotonic()
            self._stop.wait(backoff)

    def _release(self) -> None:
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
        self._context = None

    def _tick(self) -> None:
        if self._context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                self._update(ReaderState())
                return
            self._context = context
        hresult, readers = scard.SCardListReaders(self._context, [])
        code = code_of(hresult)
        if code in _SERVICE_GONE:
            self._release()
            self._update(ReaderState())
            return
        if hresult != scard.SCARD_S_SUCCESS and code != _NO_READERS:
            raise error_for(hresult, "listing readers")
        names = [r for r in (readers or []) if self.reader_match in r]
        if not names:
            self._update(ReaderState(service=True))
            return
        reader = names[0]
        hresult, states = scard.SCardGetStatusChange(
            self._context, 0, [(reader, scard.SCARD_STATE_UNAWARE)]
        )
        if code_of(hresult) in _SERVICE_GONE:
            self._release()
            self._update(ReaderState())
            return
        if hresult != scard.SCARD_S_SUCCESS:
            self._update(ReaderState(service=True))
            return
        event_state = states[0][1]
        self._update(
            ReaderState(
                service=True,
                reader=reader,
                card_present=bool(event_state & scard.SCARD_STATE_PRESENT),
                card_mute=bool(event_state & scard.SCARD_STATE_MUTE),
            )
        )

    def _update(self, new: ReaderState) -> None:
        old = self.state
        events: list[tuple[CardEvent, str]] = []
        if new.service != old.service:
            events.append((CardEvent.SERVICE_UP if new.service else CardEvent.SERVICE_DOWN, ""))
        if old.reader != new.reader:
            if old.reader:
                if old.card_present:
                    events.append((CardEvent.CARD_REMOVED, old.reader))
                events.append((CardEvent.READER_REMOVED, old.reader))
            if new.reader:
                events.append((CardEvent.READER_ADDED, new.reader))
                if new.card_present:
                    events.append((CardEvent.CARD_INSERTED, new.reader))
        elif new.reader and old.card_present != new.card_present:
            kind = CardEvent.CARD_INSERTED if new.card_present else CardEvent.CARD_REMOVED
            events.append((kind, new.reader))
        # Listeners run before waiters wake, so whoever waited on a state sees its events.
        with self._changed:
            self.state = new
            for event, reader in events:
                log.info("card reader event", extra={"event": event.value})
                for listener in list(self._listeners):
                    try:
                        listener(event, reader)
                    except Exception:
                        log.exception("card event listener failed")
            self._changed.notify_all()
