"""The ports the kiosk's core depends on; adapters implement them for the real pieces.

Keeping these small lets every journey be tested without a backend, a printer or a window,
and lets the adapters follow the other components as they change.
"""

from __future__ import annotations

from typing import Protocol

from kiosk_terminal.core.model import (
    Accepted,
    ActMatch,
    ActQuery,
    CardIdentity,
    CardKeys,
    ReceiptData,
    RequestStatus,
    Submission,
)
from protocol.codes import CodeBlock, RequestCode


class BackendUnavailable(Exception):  # noqa: N818 - the name says what the kiosk shows
    """The backend did not answer (network down, timeout, server error): try again later."""


class BackendRejected(Exception):  # noqa: N818
    """The backend answered no; ``reason`` is a short machine-readable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class NotFound(BackendRejected):
    def __init__(self, detail: str = "") -> None:
        super().__init__("not_found", detail)


class BackendClient(Protocol):
    """The records backend as the kiosk sees it."""

    def find_acts(self, query: ActQuery) -> list[ActMatch]:
        """Acts matching a reference or names; raises BackendUnavailable."""
        ...

    def submit(self, submission: Submission) -> Accepted:
        """Create the request (idempotent on its key); BackendUnavailable or BackendRejected."""
        ...

    def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
        """A request's state; with the receipt secret, also where to collect it."""
        ...

    def reserve_codes(self, terminal_id: str, size: int) -> CodeBlock:
        """Reserve a block of request codes for this terminal."""
        ...


class PrintFailed(Exception):  # noqa: N818
    """The receipt did not come out; ``kept`` says the printer will print it once it can."""

    def __init__(self, reason: str, kept: bool) -> None:
        super().__init__(reason)
        self.kept = kept


class CardReadFailed(Exception):  # noqa: N818
    """The card could not be read; ``reason`` is one of: absent (no reader or service),
    removed (the card left the reader during the reading), keys, not_id_card, unreadable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeviceCoordinator(Protocol):
    """The terminal's devices, their errors mapped to what the kiosk must do."""

    def printer_ready(self) -> bool: ...

    def print_receipt(self, job_id: str, receipt: ReceiptData) -> None:
        """Print once per job id; raises PrintFailed."""
        ...

    def read_card(self, keys: CardKeys) -> CardIdentity:
        """Open the chip with the typed keys and read its holder; raises CardReadFailed."""
        ...


class Submitter(Protocol):
    """Where a confirmed request goes: the durable outbox in front of the backend."""

    def submit(self, submission: Submission, allow_offline: bool) -> Accepted:
        """Durably record, then send; raises BackendUnavailable when it cannot accept."""
        ...
