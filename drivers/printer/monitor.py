"""Polls the printer's real-time status, turns changes into events, keeps its health.

Reconnection comes with it: a printer that cannot be reached is reported absent and is tried
again at every poll, so it is used again as soon as it is back.
"""

from __future__ import annotations

import logging
import threading

from drivers.errors import DeviceUnavailable
from drivers.printer.interface import PrinterEvent, PrinterStatus, ReceiptPrinter, StatusListener
from protocol.health import DeviceHealth

log = logging.getLogger(__name__)


class PrinterMonitor:
    def __init__(
        self, printer: ReceiptPrinter, interval_s: float = 2.0, status_timeout_s: float = 1.0
    ) -> None:
        self.printer = printer
        self.interval_s = interval_s
        self.status_timeout_s = status_timeout_s
        self.last = PrinterStatus.unknown()
        self.reachable: bool | None = None
        self._health = DeviceHealth.unknown("printer not polled yet")
        self._listeners: list[StatusListener] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="printer-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def health(self) -> DeviceHealth:
        """The health found by the last poll (UNKNOWN before the first)."""
        return self._health

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll()
            except Exception:  # the loop outlives any surprise from a driver
                log.exception("printer status poll failed")
            self._stop.wait(self.interval_s)

    def poll(self) -> None:
        try:
            status = self.printer.status(self.status_timeout_s)
        except DeviceUnavailable as exc:
            if self.reachable is not False:
                self._emit(PrinterEvent.DISCONNECTED, PrinterStatus.unknown())
            self.reachable = False
            self._health = DeviceHealth.absent(str(exc))
            self.last = PrinterStatus.unknown()
            return
        if self.reachable is False:
            self._emit(PrinterEvent.CONNECTED, status)
        self.reachable = True
        for event in status.events_since(self.last):
            self._emit(event, status)
        if status.known:
            self.last = status
        self._health = status.health()

    def _emit(self, event: PrinterEvent, status: PrinterStatus) -> None:
        log.info("printer event", extra={"event": event.value})
        for listener in list(self._listeners):
            try:
                listener(event, status)
            except Exception:
                log.exception("printer event listener failed")
