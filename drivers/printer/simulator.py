"""A thermal printer in software: it consumes ESC/POS bytes, uses up paper, answers status.

``PaperModel`` is the device (no I/O). ``SimulatedPrinter`` puts it behind the
``ReceiptPrinter`` interface in-process (kiosk demo); ``PrinterSimulatorServer`` puts it at
the end of a TCP socket like a network printer on port 9100, and ``PrinterSimulatorSerial`` at
the end of a serial line (a socat pty), so the real driver and python-escpos's ``Network`` and
``Serial`` transports are tested over a real wire.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from drivers.errors import DeviceTimeout, DeviceUnavailable
from drivers.printer.commands import (
    Align,
    Cut,
    EscPosParser,
    LineFeed,
    NativeBarcode,
    NativeQr,
    Raster,
    Setting,
    StatusQuery,
)
from drivers.printer.decode import LINE_DOTS
from drivers.printer.interface import PrinterStatus
from protocol.health import DeviceHealth

MM_PER_DOT = 25.4 / 203


@dataclass
class PaperModel:
    """Paper, cover and mechanism of a 203 dpi printer; the run-time controls are its fields."""

    dot_width: int = 576
    paper_mm: float = 20_000.0
    near_end_mm: float = 300.0
    cover_open: bool = False
    mechanism_error: bool = False
    mm_per_second: float = 0.0  # 0: prints instantly; real ones do ~150-250 mm/s
    printed: bytearray = field(default_factory=bytearray)
    cuts: int = 0
    dropped_commands: int = 0  # sent while stopped (paper out, cover open): lost
    _parser: EscPosParser = field(default_factory=EscPosParser)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def paper_out(self) -> bool:
        return self.paper_mm <= 0

    @property
    def stopped(self) -> bool:
        return self.paper_out or self.cover_open or self.mechanism_error

    def load_paper(self, mm: float) -> None:
        """New roll; whoever loads it tears off the stub printed before the paper ran out."""
        with self._lock:
            if self.paper_out and self.printed and not self.printed.endswith(b"\x1dV\x00"):
                self.printed += b"\x1dV\x00"
            self.paper_mm = mm

    def power_cycle(self) -> None:
        """Loses whatever was buffered, like a printer switched off and on."""
        with self._lock:
            self._parser = EscPosParser()

    def status_byte(self, n: int) -> int:
        value = 0x12  # bits 1 and 4 are always set in DLE EOT replies
        if n == 1 and self.stopped:
            value |= 0x08
        elif n == 2:
            value |= (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
            value |= 0x40 if self.mechanism_error else 0
        elif n == 3:
            value |= 0x08 if self.mechanism_error else 0
        elif n == 4:
            value |= 0x60 if self.paper_out else 0
            value |= 0x0C if 0 < self.paper_mm <= self.near_end_mm else 0
        return value

    def feed(self, data: bytes) -> bytes:
        """Process bytes; return the replies (real-time status answers)."""
        replies = bytearray()
        delay = 0.0
        with self._lock:
            for command in self._parser.feed(data):
                if isinstance(command, StatusQuery):
                    replies.append(self.status_byte(command.n))
                    continue
                if self.stopped:
                    self.dropped_commands += 1
                    continue
                if isinstance(command, Raster):
                    delay += self._print_raster(command)
                elif isinstance(command, LineFeed):
                    dots = command.dots if command.dots is not None else LINE_DOTS * command.lines
                    delay += self._advance(dots)
                    self.printed += b"\x1bJ" + bytes([min(dots, 255)])
                elif isinstance(command, Cut):
                    self.cuts += 1
                    self.printed += b"\x1dV\x00"
                elif isinstance(command, NativeQr | NativeBarcode):
                    rows = 33 * command.module if isinstance(command, NativeQr) else command.height
                    if rows * MM_PER_DOT > self.paper_mm:
                        self.paper_mm = 0.0  # runs out inside the code: nothing usable
                        continue
                    delay += self._advance(rows)
                    self.printed += command.raw
                elif isinstance(command, Setting):
                    self.printed += command.code  # sizes, stored QR data: kept for the replay
                elif isinstance(command, Align):
                    self.printed += b"\x1ba" + bytes((command.mode,))
        if delay and self.mm_per_second:
            time.sleep(delay)
        return bytes(replies)

    def _advance(self, dots: int) -> float:
        mm = dots * MM_PER_DOT
        self.paper_mm = max(0.0, self.paper_mm - mm)
        return mm / self.mm_per_second if self.mm_per_second else 0.0

    def _print_raster(self, command: Raster) -> float:
        rows_left = int(self.paper_mm / MM_PER_DOT)
        rows = min(command.height, rows_left)
        if rows > 0:
            header = b"\x1dv0" + bytes([command.mode]) + command.width_bytes.to_bytes(2, "little")
            self.printed += header + rows.to_bytes(2, "little")
            self.printed += command.data[: rows * command.width_bytes]
        delay = self._advance(rows)
        if rows < command.height:
            self.paper_mm = 0.0  # ran out inside this block: the rest is lost
        return delay


class SimulatedPrinter:
    """The ``ReceiptPrinter`` interface over a ``PaperModel``, with plug and latency controls."""

    def __init__(self, model: PaperModel | None = None, latency_s: float = 0.0) -> None:
        self.model = model or PaperModel()
        self.latency_s = latency_s
        self.plugged = True
        self._open = False

    @property
    def dot_width(self) -> int:
        return self.model.dot_width

    def open(self) -> None:
        if not self.plugged:
            raise DeviceUnavailable("simulated printer unplugged")
        self._open = True

    def close(self) -> None:
        self._open = False

    def _check(self, timeout: float) -> None:
        if not self.plugged:
            self._open = False
            raise DeviceUnavailable("simulated printer not connected")
        self._open = True  # reconnects by itself once plugged back, like the real driver
        if self.latency_s > timeout:
            time.sleep(timeout)
            raise DeviceTimeout("simulated printer did not answer in time")
        if self.latency_s:
            time.sleep(self.latency_s)

    def status(self, timeout: float = 1.0) -> PrinterStatus:
        try:
            self._check(timeout)
        except DeviceTimeout:
            return PrinterStatus.unknown()  # DeviceUnavailable propagates: unplugged
        replies = self.model.feed(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04")
        return PrinterStatus.from_replies(replies[0], replies[1], replies[2])

    def health(self) -> DeviceHealth:
        try:
            return self.status().health()
        except DeviceUnavailable as exc:
            return DeviceHealth.absent(str(exc))

    def send(self, data: bytes, timeout: float = 10.0) -> None:
        self._check(timeout)
        self.model.feed(data)


class PrinterSimulatorServer:
    """Listens like a network printer (raw TCP, port 9100 style) on loopback."""

    def __init__(self, model: PaperModel | None = None, host: str = "127.0.0.1", port: int = 0):
        self.model = model or PaperModel()
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(0.2)
        self.host, self.port = self._listener.getsockname()[:2]
        self.received = bytearray()
        #: Fault: switch the printer off once a connection has sent this many bytes.
        self.power_cut_after: int | None = None
        self._clients: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="printer-sim", daemon=True)

    def start(self) -> PrinterSimulatorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.drop_connections()
        self._thread.join(timeout=5)
        self._listener.close()

    def drop_connections(self) -> None:
        """Cut every connection (printer switched off) and lose its buffer."""
        for client in list(self._clients):
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()
        self._clients.clear()
        self.model.power_cycle()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._clients.append(client)
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(0.5)
        count = 0
        while not self._stop.is_set():
            try:
                data = client.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            count += len(data)
            if self.power_cut_after is not None and count >= self.power_cut_after:
                self.power_cut_after = None
                self.drop_connections()
                return
            self.received += data
            replies = self.model.feed(data)
            if replies:
                with contextlib.suppress(OSError):
                    client.sendall(replies)


class PrinterSimulatorSerial:
    """The printer at the far end of a serial line (the device end of a socat pty pair)."""

    def __init__(self, port: str, model: PaperModel | None = None) -> None:
        import serial

        self.model = model or PaperModel()
        self.received = bytearray()
        self._port: Any = serial.serial_for_url(port, timeout=0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="printer-sim-serial", daemon=True)

    def start(self) -> PrinterSimulatorSerial:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._port.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._port.read(self._port.in_waiting or 1)
            except OSError:
                return
            if data:
                self.received += data
                replies = self.model.feed(data)
                if replies:
                    self._port.write(replies)
                    self._port.flush()
