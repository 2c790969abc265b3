"""What the kiosk needs from a receipt printer, whichever one it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from protocol.health import DeviceHealth


class PrinterEvent(StrEnum):
    CONNECTED = "connected"  # reachable again (plugged in, switched on)
    DISCONNECTED = "disconnected"
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    PAPER_OK = "paper_ok"
    COVER_OPEN = "cover_open"
    COVER_CLOSED = "cover_closed"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """Real-time status as the printer reported it; ``known`` is False when it did not answer.

    A printer that does not answer is never reported as fine: health is then UNKNOWN or ABSENT.
    """

    known: bool
    online: bool = False
    cover_open: bool = False
    paper_near_end: bool = False
    paper_out: bool = False
    error: bool = False

    @classmethod
    def unknown(cls) -> PrinterStatus:
        return cls(known=False)

    @classmethod
    def from_replies(cls, printer: int, offline_cause: int, paper: int) -> PrinterStatus:
        """Decode the DLE EOT 1 (printer), 2 (offline cause) and 4 (paper sensor) replies."""
        return cls(
            known=True,
            online=not printer & 0x08,
            cover_open=bool(offline_cause & 0x04),
            error=bool(offline_cause & 0x40),
            paper_near_end=bool(paper & 0x0C),
            paper_out=bool(paper & 0x60) or bool(offline_cause & 0x20),
        )

    @property
    def ready(self) -> bool:
        return self.known and self.online and not (self.cover_open or self.paper_out or self.error)

    def health(self) -> DeviceHealth:
        if not self.known:
            return DeviceHealth.unknown("printer did not answer the status query")
        if self.paper_out:
            return DeviceHealth.error("paper out")
        if self.cover_open:
            return DeviceHealth.error("cover open")
        if self.error:
            return DeviceHealth.error("printer error (cutter or mechanism)")
        if not self.online:
            return DeviceHealth.error("printer offline")
        if self.paper_near_end:
            return DeviceHealth.degraded("paper near end")
        return DeviceHealth.ok()

    def events_since(self, before: PrinterStatus) -> list[PrinterEvent]:
        """The events a change from ``before`` to this status means."""
        events: list[PrinterEvent] = []
        if not self.known:
            return events
        pairs = (
            (before.online, self.online, PrinterEvent.ONLINE, PrinterEvent.OFFLINE),
            (
                before.cover_open,
                self.cover_open,
                PrinterEvent.COVER_OPEN,
                PrinterEvent.COVER_CLOSED,
            ),
            (before.paper_out, self.paper_out, PrinterEvent.PAPER_OUT, PrinterEvent.PAPER_OK),
        )
        for old, new, on, off in pairs:
            if new and (not old or not before.known):
                events.append(on)
            elif old and not new and before.known:
                events.append(off)
        if self.paper_near_end and not self.paper_out and not before.paper_near_end:
            events.append(PrinterEvent.PAPER_LOW)
        return events


StatusListener = Callable[[PrinterEvent, PrinterStatus], None]


class ReceiptPrinter(Protocol):
    """A printer the kiosk can open, query and send finished ESC/POS jobs to."""

    @property
    def dot_width(self) -> int: ...

    def open(self) -> None: ...

    def close(self) -> None: ...

    def status(self, timeout: float = 1.0) -> PrinterStatus:
        """Unknown status when the printer is mute; raises DeviceUnavailable when it is gone."""
        ...

    def health(self) -> DeviceHealth: ...

    def send(self, data: bytes, timeout: float = 10.0) -> None:
        """Write one job's bytes; raises DeviceUnavailable / DeviceTimeout."""
        ...
