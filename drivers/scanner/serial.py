"""CDC-ACM (serial) barcode scanners read with pyserial, reconnecting after an unplug."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from typing import Any

import serial
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from drivers.scanner.decoding import CodeRules, Debouncer, FrameSplitter
from drivers.scanner.interface import (
    EventListener,
    Rejection,
    Scan,
    ScanListener,
    ScannerEvent,
)
from protocol.health import DeviceHealth
from sijill.settings import ServiceSettings

log = logging.getLogger(__name__)


class ScannerSettings(ServiceSettings):
    """``SIJILL_SCANNER_*`` variables or the ``[scanner]`` section of the configuration."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_SCANNER_", extra="ignore")
    toml_section = "scanner"

    device: str = "/dev/ttyACM0"  # or a udev symlink such as /dev/sijill-scanner
    baudrate: int = 9600  # ignored by CDC-ACM devices, used by real RS-232 ones
    prefix: str = ""
    suffix: str = ""
    debounce_s: float = Field(default=1.5, ge=0, le=30)
    reconnect_s: float = Field(default=0.5, gt=0, le=30)
    accept_other: bool = False


class SerialScanner:
    """Reads frames on a thread of its own; the thread outlives unplugs and reopens the port."""

    def __init__(self, settings: ScannerSettings) -> None:
        self.settings = settings
        self.rules = CodeRules(
            prefix=settings.prefix, suffix=settings.suffix, accept_other=settings.accept_other
        )
        self.debouncer = Debouncer(settings.debounce_s)
        self.rejected = 0
        self.connected = False
        self.last_error: str | None = None
        self._scans: queue.Queue[Scan] = queue.Queue(maxsize=100)
        self._listeners: list[ScanListener] = []
        self._event_listeners: list[EventListener] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: Any = None
        self._splitter = FrameSplitter()

    def add_listener(self, listener: ScanListener) -> None:
        self._listeners.append(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        self._event_listeners.append(listener)

    def open(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scanner", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_port()

    def wait_connected(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.connected:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def wait_for_scan(self, timeout: float) -> Scan | None:
        try:
            return self._scans.get(timeout=timeout)
        except queue.Empty:
            return None

    def health(self) -> DeviceHealth:
        if self._thread is None or not self._thread.is_alive():
            return DeviceHealth.unknown("scanner not started")
        if not self.connected:
            return DeviceHealth.absent(self.last_error or "scanner not connected")
        return DeviceHealth.ok(port=self.settings.device, rejected=self.rejected)

    # -- the reading thread ----------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._port is None and not self._open_port():
                self._stop.wait(self.settings.reconnect_s)
                continue
            try:
                data = self._port.read(self._port.in_waiting or 1)
            except (serial.SerialException, OSError, TypeError) as exc:
                # pyserial raises SerialException (or OSError EIO) when the device vanishes.
                self._lost(str(exc))
                continue
            if data:
                self._handle(data)

    def _open_port(self) -> bool:
        try:
            port = serial.serial_for_url(
                self.settings.device, baudrate=self.settings.baudrate, timeout=0.1
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self.last_error = f"cannot open {self.settings.device}: {exc.__class__.__name__}"
            return False
        self._port = port
        self._splitter = FrameSplitter()
        self.connected = True
        self.last_error = None
        self._emit(ScannerEvent.CONNECTED, self.settings.device)
        return True

    def _close_port(self) -> None:
        if self._port is not None:
            with contextlib.suppress(Exception):
                self._port.close()
        self._port = None

    def _lost(self, why: str) -> None:
        self._close_port()
        self.connected = False
        self.last_error = "scanner disconnected"
        log.warning("barcode scanner disconnected", extra={"reason": why})
        self._emit(ScannerEvent.DISCONNECTED, self.settings.device)

    def _handle(self, data: bytes) -> None:
        for frame in self._splitter.feed(data):
            result = self.rules.classify(frame)
            if isinstance(result, Rejection):
                self.rejected += 1
                self._emit(ScannerEvent.REJECTED, result.reason)
                continue
            if not self.debouncer.accept(result):
                continue
            with contextlib.suppress(queue.Full):
                self._scans.put_nowait(result)
            self._emit(ScannerEvent.SCANNED, result.kind.value)
            for listener in list(self._listeners):
                try:
                    listener(result)
                except Exception:
                    log.exception("scan listener failed")

    def _emit(self, event: ScannerEvent, detail: str) -> None:
        for listener in list(self._event_listeners):
            try:
                listener(event, detail)
            except Exception:
                log.exception("scanner event listener failed")
