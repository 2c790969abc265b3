"""Collect a remote request by its QR, and check a request's status by code or QR."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from kiosk_terminal.core.model import DocumentKind, ReceiptData, RequestStatus, fee_for
from kiosk_terminal.core.schedule import local
from kiosk_terminal.services.ports import (
    BackendClient,
    BackendUnavailable,
    DeviceCoordinator,
    NotFound,
    PrintFailed,
)
from protocol.codes import CodeError, RequestCode, normalize_secret
from protocol.qr import QrError, ReceiptQr

log = logging.getLogger(__name__)


class CollectStep(StrEnum):
    SCAN = "scan"
    TICKET = "ticket"  # ready: a ticket for the right counter was printed
    NOT_READY = "not_ready"
    OTHER_OFFICE = "other_office"  # ready, but at another office: no ticket here
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"
    PRINT_FAILED = "print_failed"


class CollectJourney:
    def __init__(
        self,
        backend: BackendClient,
        devices: DeviceCoordinator,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        office: str | None = None,
    ) -> None:
        self._backend = backend
        self._devices = devices
        self._now = now
        self._office = office
        self.step = CollectStep.SCAN
        self.status: RequestStatus | None = None
        self.reason: str | None = None
        self._key = uuid.uuid4().hex[:12]  # one ticket per request per visit, even if rescanned

    busy = False

    def scanned(self, text: str) -> None:
        self.status = None
        try:
            qr = ReceiptQr.parse(text)
        except QrError:
            self.reason = "not_a_receipt"
            self.step = CollectStep.INVALID
            return
        try:
            status = self._backend.status(qr.code, qr.secret)
        except NotFound:
            self.reason = "unknown_request"
            self.step = CollectStep.INVALID
            return
        except BackendUnavailable:
            self.step = CollectStep.UNAVAILABLE
            return
        self.status = status
        if not status.ready:
            self.step = CollectStep.NOT_READY
            return
        if self._office and status.office and status.office != self._office:
            self.step = CollectStep.OTHER_OFFICE
            return
        now = self._now()
        ticket = ReceiptData(
            code=status.code,
            qr_payload=qr.encode(),
            document=status.document or DocumentKind.EXTRACT,
            copies=status.copies or 1,
            fee=fee_for(status.copies or 1),
            pickup_date=local(now).date(),
            issued_at=now,
            counter=status.counter,
            ticket=True,
        )
        try:
            self._devices.print_receipt(f"ticket-{status.code}-{self._key}", ticket)
        except PrintFailed as exc:
            log.warning("ticket not printed: %s", exc)
            self.step = CollectStep.PRINT_FAILED
            return
        self.step = CollectStep.TICKET

    def again(self) -> None:
        self.status = None
        self.reason = None
        self.step = CollectStep.SCAN


class StatusStep(StrEnum):
    ENTER = "enter"
    RESULT = "result"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


class StatusJourney:
    def __init__(self, backend: BackendClient) -> None:
        self._backend = backend
        self.step = StatusStep.ENTER
        self.status: RequestStatus | None = None
        self.reason: str | None = None

    busy = False

    def typed(self, text: str, secret: str = "") -> None:
        """A code typed on the keyboard (its check character catches typos at once), with
        the receipt's secret when the citizen has it (the registry may require it)."""
        try:
            code = RequestCode.parse(text)
        except CodeError:
            self.reason = "invalid_code"
            self.step = StatusStep.ENTER
            return
        self._ask(code, normalize_secret(secret) or None)

    def scanned(self, text: str) -> None:
        try:
            qr = ReceiptQr.parse(text)
        except QrError:
            self.reason = "not_a_receipt"
            self.step = StatusStep.ENTER
            return
        self._ask(qr.code, qr.secret)

    def _ask(self, code: RequestCode, secret: str | None) -> None:
        self.reason = None
        try:
            self.status = self._backend.status(code, secret)
        except NotFound:
            self.step = StatusStep.NOT_FOUND
            return
        except BackendUnavailable:
            self.step = StatusStep.UNAVAILABLE
            return
        self.step = StatusStep.RESULT

    def again(self) -> None:
        self.status = None
        self.reason = None
        self.step = StatusStep.ENTER
