"""The device coordinator: the drivers behind the kiosk's ``DeviceCoordinator`` port.

Driver errors become what the kiosk must do: a printer that cannot print means out of
service; a receipt stopped by paper out stays in the print journal and comes out once, whole,
when paper is back (or marked duplicate after a power cut); a card that refuses the keys asks
for them again. The typed card keys go to the reader and nowhere else.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from drivers.card.interface import CardReader
from drivers.card.mrz import BacKey
from drivers.errors import (
    AuthenticationFailed,
    CardRemoved,
    DeviceError,
    DeviceUnavailable,
    UnknownCard,
)
from drivers.printer.encode import encode_receipt
from drivers.printer.interface import ReceiptPrinter
from drivers.printer.jobs import JobJournal, PrintJobs
from drivers.printer.receipt import ReceiptContent
from kiosk_terminal.core.model import (
    CardIdentity,
    CardKeys,
    DocumentKind,
    Lang,
    OfficeInfo,
    ReceiptData,
)
from kiosk_terminal.core.schedule import format_date, local
from kiosk_terminal.services.ports import CardReadFailed, PrintFailed
from protocol.health import DeviceHealth, DeviceKind
from protocol.qr import QrError, ReceiptQr

log = logging.getLogger(__name__)

DOCUMENT_NAMES = {
    DocumentKind.EXTRACT: ("نسخة موجزة من رسم الولادة", "Extrait d'acte de naissance"),
    DocumentKind.FULL_COPY: ("نسخة كاملة من رسم الولادة", "Copie intégrale d'acte de naissance"),
    DocumentKind.INDIVIDUAL_SHEET: (
        "بطاقة الحالة المدنية الفردية",
        "Fiche individuelle d'état civil",
    ),
}


def _secret(qr_payload: str) -> str | None:
    # The kiosk builds every payload with ReceiptQr; a foreign one prints without the key.
    try:
        return ReceiptQr.parse(qr_payload).secret
    except QrError:
        return None


def receipt_content(data: ReceiptData, office: OfficeInfo) -> ReceiptContent:
    """The printer's layout model from what the kiosk decided."""
    doc_ar, doc_fr = DOCUMENT_NAMES[data.document]
    if data.ticket:
        if data.counter:
            place_ar, place_fr = f"الشباك رقم {data.counter}", f"Guichet {data.counter}"
        else:
            place_ar, place_fr = office.counter_ar, office.counter_fr
        date_ar, date_fr = "الآن – وثيقتكم جاهزة", "Maintenant – document prêt"
    else:
        place_ar, place_fr = f"{office.counter_ar}، {office.name_ar}", office.counter_fr
        date_ar = format_date(data.pickup_date, Lang.AR)
        date_fr = format_date(data.pickup_date, Lang.FR)
    return ReceiptContent(
        office_name_ar=office.name_ar,
        office_name_fr=office.name_fr,
        request_code=str(data.code),
        qr_payload=data.qr_payload,
        document_kind_ar=doc_ar,
        document_kind_fr=doc_fr,
        copies=data.copies,
        fee_dirhams=data.fee,
        pickup_place_ar=place_ar,
        pickup_place_fr=place_fr,
        pickup_date_ar=date_ar,
        pickup_date_fr=date_fr,
        issued_at=local(data.issued_at),
        receipt_secret=_secret(data.qr_payload),
        pending=data.pending,  # accepted offline: the code is final, the registry told later
    )


def make_print_jobs(
    printer: ReceiptPrinter, journal_path: Path, profile: str = "TM-T20II"
) -> PrintJobs:
    width = 576 if printer.dot_width >= 576 else 384
    return PrintJobs(
        printer=printer,
        journal=JobJournal(journal_path),
        encoder=lambda content: encode_receipt(content, width, profile),  # type: ignore[arg-type]
    )


class KioskDevices:
    """Implements the ``DeviceCoordinator`` port over the printer and card drivers."""

    def __init__(
        self,
        printer: ReceiptPrinter,
        jobs: PrintJobs,
        office: OfficeInfo,
        card_reader: CardReader | None = None,
        card_timeout_s: float = 8.0,
        ready_cache_s: float = 0.0,
    ) -> None:
        self.printer = printer
        self.jobs = jobs
        self.office = office
        self.card_reader = card_reader
        self.card_timeout_s = card_timeout_s
        #: How long a status answer is reused by printer_ready() (a serial printer's query
        #: can take its whole timeout: the screens should not wait for it on every touch).
        self.ready_cache_s = ready_cache_s
        # One conversation at a time with the printer: a status query in the middle of a
        # job's bytes would be read as part of it on a serial line.
        self._lock = threading.RLock()
        self._last_ready: bool | None = None  # what watch() last reported
        self._cached: bool | None = None  # the last answer, for ready_cache_s
        self._checked_at = 0.0

    # --- printer ------------------------------------------------------------------------

    def printer_ready(self) -> bool:
        fresh = time.monotonic() - self._checked_at <= self.ready_cache_s
        if self.ready_cache_s and self._cached is not None and fresh:
            return self._cached
        return self._query_ready()

    def _query_ready(self) -> bool:
        with self._lock:
            try:
                status = self.printer.status(timeout=1.0)
            except DeviceError:
                ready = False
            else:
                # A printer that does not answer status (file, some serial ones) is trusted,
                # as the print journal does; a known fault is not.
                ready = status.ready or not status.known
            self._cached = ready
            self._checked_at = time.monotonic()
        return ready

    def print_receipt(self, job_id: str, receipt: ReceiptData) -> None:
        content = receipt_content(receipt, self.office)
        with self._lock:
            try:
                self.jobs.print(job_id, content)
            except DeviceError as exc:
                raise PrintFailed(type(exc).__name__, kept=True) from exc

    def start_up(self) -> list[str]:
        """After a restart: jobs cut by a power loss become duplicates; print what is owed."""
        with self._lock:
            self.jobs.recover()
        return self.resume()

    def resume(self) -> list[str]:
        """Print once more what paper-out or a fault stopped, now that the printer is back."""
        with self._lock:
            if not self.jobs.pending():
                return []
            try:
                return self.jobs.resume()
            except DeviceError as exc:
                log.warning("owed receipts not printed yet: %s", type(exc).__name__)
                return []

    def watch(self, on_change: Callable[[bool], None]) -> bool:
        """Poll once (call it every few seconds); report readiness changes, reprint when back."""
        previous = self._last_ready
        ready = self._query_ready()
        self._last_ready = ready
        if ready != previous:
            if ready:
                self.resume()
            on_change(ready)
        return ready

    def health(self) -> dict[DeviceKind, DeviceHealth]:
        devices = {DeviceKind.PRINTER: self.printer.health()}
        if self.card_reader is not None:
            devices[DeviceKind.CARD_READER] = self.card_reader.health()
        return devices

    # --- card ---------------------------------------------------------------------------

    def read_card(self, keys: CardKeys) -> CardIdentity:
        if self.card_reader is None:
            raise CardReadFailed("absent")
        try:
            key = BacKey(
                keys.document_number,
                keys.birth_date.strftime("%y%m%d"),
                keys.expiry_date.strftime("%y%m%d"),
            )
        except ValueError:
            raise CardReadFailed("keys") from None
        try:
            dg1 = self.card_reader.read_document(key, timeout=self.card_timeout_s)
        except AuthenticationFailed:
            raise CardReadFailed("keys") from None
        except CardRemoved:
            # Pulled during the reading (or not in yet): put it back and try again.
            raise CardReadFailed("removed") from None
        except DeviceUnavailable:
            raise CardReadFailed("absent") from None
        except UnknownCard:
            raise CardReadFailed("not_id_card") from None  # a bank card, a badge…
        except DeviceError:
            raise CardReadFailed("unreadable") from None
        if dg1.birth_date is None or not dg1.surname:
            raise CardReadFailed("unreadable")
        return CardIdentity(
            given_name=dg1.given_names.replace("<", " ").strip(),
            family_name=dg1.surname.replace("<", " ").strip(),
            birth_date=dg1.birth_date,
            document_number=dg1.document_number,
        )
