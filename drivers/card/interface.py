"""What the kiosk needs from a card reader, whichever one it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from drivers.card.mrz import BacKey, Dg1
from protocol.health import DeviceHealth


class CardEvent(StrEnum):
    SERVICE_UP = "service_up"  # pcscd answers again
    SERVICE_DOWN = "service_down"
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"


class CardKind(StrEnum):
    EMRTD = "emrtd"
    BADGE = "badge"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, repr=False)
class BadgeIdentity:
    """A staff badge whose PIN was verified. The serial maps to an account elsewhere."""

    serial: str

    def __repr__(self) -> str:
        return "BadgeIdentity(<hidden>)"


CardListener = Callable[[CardEvent, str], None]


class CardReader(Protocol):
    def open(self) -> None: ...

    def close(self) -> None: ...

    def health(self) -> DeviceHealth: ...

    def add_listener(self, listener: CardListener) -> None: ...

    def wait_for_card(self, timeout: float) -> bool:
        """True once a card is in the reader, False when ``timeout`` ran out."""
        ...

    def card_kind(self, timeout: float | None = None) -> CardKind: ...

    def read_document(self, key: BacKey, timeout: float | None = None) -> Dg1:
        """BAC and DG1; raises CardRemoved, AuthenticationFailed, UnknownCard, DeviceTimeout…"""
        ...

    def read_badge(self, pin: str, timeout: float | None = None) -> BadgeIdentity: ...
