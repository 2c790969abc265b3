"""The real receipt printer: python-escpos transports (USB, serial, network, file) + status."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal

from escpos import printer as transports
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import SettingsConfigDict

from drivers.errors import DeviceTimeout, DeviceUnavailable
from drivers.printer.encode import encode_receipt, profile_width
from drivers.printer.interface import PrinterStatus
from drivers.printer.receipt import DotWidth, ReceiptContent
from protocol.health import DeviceHealth
from sijill.settings import ServiceSettings

log = logging.getLogger(__name__)

Connection = Literal["usb", "serial", "network", "file"]


class PrinterConfig(BaseModel):
    """How to reach the printer and what it is; chosen by the terminal's configuration."""

    model_config = ConfigDict(extra="forbid")

    connection: Connection = "network"
    profile: str = "TM-T20II"
    dot_width: Literal[384, 576] | None = None  # None: the profile's width
    host: str = "127.0.0.1"
    port: int = Field(default=9100, ge=1, le=65535)
    serial_device: str = "/dev/ttyUSB0"
    baudrate: int = 19200
    usb_vendor: int = 0x04B8
    usb_product: int = 0x0E28
    file_path: Path = Path("/dev/usb/lp0")
    timeout_s: float = Field(default=5.0, gt=0, le=120)

    def width(self) -> int:
        if self.dot_width is not None:
            return self.dot_width
        found = profile_width(self.profile)
        return found if found in (384, 576) else 576


class EscposPrinter:
    """A ``ReceiptPrinter`` over python-escpos; every call is bounded by a timeout."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self._device: Any = None
        # The status monitor and print jobs share one connection: never interleave them.
        self._lock = threading.RLock()

    @property
    def dot_width(self) -> int:
        return self.config.width()

    def _make(self) -> Any:
        c = self.config
        if c.connection == "network":
            return transports.Network(c.host, port=c.port, timeout=c.timeout_s, profile=c.profile)
        if c.connection == "serial":
            return transports.Serial(
                c.serial_device, baudrate=c.baudrate, timeout=c.timeout_s, profile=c.profile
            )
        if c.connection == "usb":
            # python-escpos's USB default timeout of 0 waits forever: always pass one (ms).
            return transports.Usb(
                c.usb_vendor, c.usb_product, timeout=int(c.timeout_s * 1000), profile=c.profile
            )
        return transports.File(str(c.file_path), profile=c.profile)

    def open(self) -> None:
        with self._lock:
            self._close()
            path = self.config.file_path
            if (
                self.config.connection == "file"
                and path.is_relative_to("/dev")
                and not path.exists()
            ):
                # Opening for writing would create a plain file where the device node belongs.
                raise DeviceUnavailable(f"printer device {path} not present")
            device = self._make()
            try:
                device.open()
            except Exception as exc:  # escpos raises its own and OS errors, per transport
                raise DeviceUnavailable(
                    f"printer not reachable over {self.config.connection}"
                ) from exc
            if device.device is None:
                raise DeviceUnavailable(f"printer not reachable over {self.config.connection}")
            self._device = device

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._device is not None:
            with contextlib.suppress(Exception):
                self._device.close()
        self._device = None

    def _ensure_open(self) -> None:
        # Reconnects by itself: a printer switched off and on again is used again.
        if self._device is None:
            self.open()

    def send(self, data: bytes, timeout: float = 10.0) -> None:
        with self._lock:
            self._ensure_open()
            self._set_timeout(timeout)
            try:
                if self.config.connection == "file":
                    self._write_bounded(data, timeout)
                else:
                    self._device._raw(data)
            except DeviceTimeout:
                raise
            except TimeoutError as exc:
                raise DeviceTimeout("printer did not accept the job in time") from exc
            except Exception as exc:
                self._close()
                raise DeviceUnavailable("printer connection lost while sending") from exc

    def status(self, timeout: float = 1.0) -> PrinterStatus:
        """Real-time status (DLE EOT 1, 2, 4); UNKNOWN when the printer cannot answer.

        Raises DeviceUnavailable when the printer cannot be reached at all.
        """
        with self._lock:
            self._ensure_open()
            if self.config.connection == "file":
                # A file or plain device node has no way back; never claim the printer is fine.
                return PrinterStatus.unknown()
            try:
                self._set_timeout(timeout)
                self._drain()
                replies = [self._query(n) for n in (1, 2, 4)]
            except (TimeoutError, DeviceTimeout):
                return PrinterStatus.unknown()
            except Exception as exc:
                self._close()
                raise DeviceUnavailable("printer connection lost") from exc
            return PrinterStatus.from_replies(*replies)

    def health(self) -> DeviceHealth:
        try:
            return self.status().health()
        except DeviceUnavailable as exc:
            return DeviceHealth.absent(str(exc))

    # -- transport details -------------------------------------------------------------

    def _write_bounded(self, data: bytes, timeout: float) -> None:
        """A write to a device node (/dev/usb/lp0) blocks while the printer is offline and
        has no timeout of its own: do it on a helper thread and stop waiting in time."""
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="printer-write")
        future = pool.submit(self._device._raw, data)
        pool.shutdown(wait=False)
        try:
            future.result(timeout)
        except concurrent.futures.TimeoutError:
            self._device = None  # the stuck write keeps its file object; we start afresh
            raise DeviceTimeout("printer did not accept the job in time") from None

    def _set_timeout(self, timeout: float) -> None:
        raw = self._device.device
        if isinstance(raw, socket.socket):
            raw.settimeout(timeout)
        elif hasattr(raw, "timeout") and self.config.connection == "serial":
            raw.timeout = timeout
            raw.write_timeout = timeout
        elif self.config.connection == "usb":
            self._device.timeout = int(timeout * 1000)

    def _drain(self) -> None:
        """Throw away late replies from an earlier query so answers stay in step."""
        raw = self._device.device
        if isinstance(raw, socket.socket):
            raw.setblocking(False)
            try:
                while raw.recv(64):
                    pass
            except (BlockingIOError, OSError):
                pass
            finally:
                raw.setblocking(True)
        elif self.config.connection == "serial":
            raw.reset_input_buffer()

    def _query(self, n: int) -> int:
        self._device._raw(b"\x10\x04" + bytes([n]))
        raw = self._device.device
        if isinstance(raw, socket.socket):
            reply = raw.recv(1)
            if not reply:
                raise DeviceUnavailable("printer closed the connection")
        elif self.config.connection == "serial":
            reply = raw.read(1)  # one byte, not escpos's 16 that always waits the timeout
        else:
            reply = bytes(self._device._read())
        if not reply:
            raise DeviceTimeout("no status reply")
        return reply[0]


class PrinterSettings(ServiceSettings):
    """``SIJILL_PRINTER_*`` variables or the ``[printer]`` section of the configuration."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_PRINTER_", extra="ignore")
    toml_section = "printer"

    connection: Connection = "network"
    profile: str = "TM-T20II"
    dot_width: Literal[384, 576] | None = None
    address: str = "127.0.0.1"
    tcp_port: int = Field(default=9100, ge=1, le=65535)
    serial_device: str = "/dev/ttyUSB0"
    baudrate: int = 19200
    usb_vendor: int = 0x04B8
    usb_product: int = 0x0E28
    file_path: Path = Path("/dev/usb/lp0")
    timeout_s: float = Field(default=5.0, gt=0, le=120)
    native_codes: bool = False  # barcode and QR drawn by the printer when the model can
    journal: Path | None = None  # default: <data_dir>/printer-jobs.json

    def config(self) -> PrinterConfig:
        return PrinterConfig(
            connection=self.connection,
            profile=self.profile,
            dot_width=self.dot_width,
            host=self.address,
            port=self.tcp_port,
            serial_device=self.serial_device,
            baudrate=self.baudrate,
            usb_vendor=self.usb_vendor,
            usb_product=self.usb_product,
            file_path=self.file_path,
            timeout_s=self.timeout_s,
        )

    def encoder(self) -> Callable[[ReceiptContent], bytes]:
        """Render + encode for this printer's width, profile and code preference."""
        width: DotWidth = 576 if self.config().width() >= 576 else 384
        return partial(
            encode_receipt, width=width, profile=self.profile, native_codes=self.native_codes
        )

    def journal_path(self) -> Path:
        return self.journal or self.data_dir / "printer-jobs.json"
