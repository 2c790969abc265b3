"""What the kiosk and the counter need from a barcode scanner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from protocol.health import DeviceHealth


class ScanKind(StrEnum):
    REQUEST_CODE = "request_code"  # a Sijill request code (Code 128 on receipts)
    RECEIPT_QR = "receipt_qr"  # the QR of a Sijill receipt
    EAN = "ean"  # EAN-13, EAN-8, UPC-A with a valid check digit
    OTHER = "other"  # anything printable, only when configured to pass it on


class ScannerEvent(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    SCANNED = "scanned"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Scan:
    text: str  # normalized (request codes in their canonical spelling)
    kind: ScanKind


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str  # "noise", "check digit", "unknown format", "missing prefix"…


ScanListener = Callable[[Scan], None]
EventListener = Callable[[ScannerEvent, str], None]


class BarcodeScanner(Protocol):
    def open(self) -> None: ...

    def close(self) -> None: ...

    def health(self) -> DeviceHealth: ...

    def add_listener(self, listener: ScanListener) -> None: ...

    def add_event_listener(self, listener: EventListener) -> None: ...

    def wait_for_scan(self, timeout: float) -> Scan | None:
        """The next accepted scan, or None when ``timeout`` ran out."""
        ...
