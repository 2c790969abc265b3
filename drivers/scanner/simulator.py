"""Simulated barcode scanners.

``ScannerDevice`` writes what a real scanner would into a serial line (the device end of a
socat pair, or any port): codes with prefix, suffix and terminator, line noise, half frames.
``SimulatedScanner`` is an in-process ``BarcodeScanner`` for the kiosk demo; codes injected
into it pass the same checks and debounce as real ones.
"""

from __future__ import annotations

import os
import queue
import time
from typing import Any

import serial

from drivers.scanner.decoding import CodeRules, Debouncer, FrameSplitter
from drivers.scanner.interface import EventListener, Rejection, Scan, ScanListener, ScannerEvent
from protocol.health import DeviceHealth


class ScannerDevice:
    """The scanner's end of the wire."""

    def __init__(self, port: str, prefix: str = "", suffix: str = "", terminator: bytes = b"\r"):
        self.prefix = prefix
        self.suffix = suffix
        self.terminator = terminator
        self._port: Any = serial.serial_for_url(port, timeout=1, write_timeout=2)

    def scan(self, code: str, *, chunk_delay_s: float = 0.0) -> None:
        frame = (self.prefix + code + self.suffix).encode("ascii") + self.terminator
        if chunk_delay_s:
            # Byte by byte, as a slow USB-serial bridge delivers it.
            for byte in frame:
                self._port.write(bytes((byte,)))
                self._port.flush()
                time.sleep(chunk_delay_s)
        else:
            self._port.write(frame)
            self._port.flush()

    def noise(self, length: int = 16) -> None:
        """Line noise: random bytes ended by a terminator."""
        self._port.write(os.urandom(length).replace(b"\r", b"").replace(b"\n", b"") + b"\r")
        self._port.flush()

    def raw(self, data: bytes) -> None:
        self._port.write(data)
        self._port.flush()

    def close(self) -> None:
        self._port.close()


class SimulatedScanner:
    """A scanner the demo (or a remote command) types codes into."""

    def __init__(self, rules: CodeRules | None = None, debounce_s: float = 1.5) -> None:
        self.rules = rules or CodeRules()
        self.debouncer = Debouncer(debounce_s)
        self.plugged = True
        self.latency_s = 0.0
        self._splitter = FrameSplitter()
        self._scans: queue.Queue[Scan] = queue.Queue()
        self._listeners: list[ScanListener] = []
        self._event_listeners: list[EventListener] = []

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def add_listener(self, listener: ScanListener) -> None:
        self._listeners.append(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        self._event_listeners.append(listener)

    def health(self) -> DeviceHealth:
        if not self.plugged:
            return DeviceHealth.absent("scanner not connected")
        return DeviceHealth.ok(port="simulated")

    def feed(self, data: bytes) -> None:
        """Bytes as they would come off the wire."""
        if not self.plugged:
            return
        if self.latency_s:
            time.sleep(self.latency_s)
        for frame in self._splitter.feed(data):
            result = self.rules.classify(frame)
            if isinstance(result, Rejection):
                self._emit(ScannerEvent.REJECTED, result.reason)
            elif self.debouncer.accept(result):
                self._scans.put(result)
                self._emit(ScannerEvent.SCANNED, result.kind.value)
                for listener in list(self._listeners):
                    listener(result)

    def inject(self, code: str) -> None:
        self.feed(code.encode("ascii", errors="replace") + b"\r")

    def wait_for_scan(self, timeout: float) -> Scan | None:
        try:
            return self._scans.get(timeout=timeout)
        except queue.Empty:
            return None

    def _emit(self, event: ScannerEvent, detail: str) -> None:
        for listener in list(self._event_listeners):
            listener(event, detail)
