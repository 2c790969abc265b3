"""The kiosk's composition root without a window: settings → adapters → session.

The Kivy app (``kiosk_terminal.ui.app``) and the benchmark both start from here, so the same
wiring runs with or without a screen.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from drivers.card.interface import CardEvent, CardReader
from drivers.printer.escpos import EscposPrinter, PrinterConfig
from drivers.printer.interface import ReceiptPrinter
from drivers.printer.simulator import PaperModel, SimulatedPrinter
from drivers.scanner.interface import BarcodeScanner, Scan, ScanKind
from kiosk_terminal.agent.health import HealthProvider, system_health
from kiosk_terminal.core.model import Lang, OfficeInfo
from kiosk_terminal.core.procedures import ProceduresCatalog
from kiosk_terminal.core.request import RequestDeps, RequestJourney, RequestStep
from kiosk_terminal.core.session import KioskSession, SessionDeps, SessionSettings
from kiosk_terminal.i18n import catalogue_ready
from kiosk_terminal.services.backend_http import HttpBackend, NoBackend
from kiosk_terminal.services.devices import KioskDevices, make_print_jobs
from kiosk_terminal.services.outbox import Outbox
from kiosk_terminal.services.ports import BackendClient
from kiosk_terminal.services.speech import Speaker
from kiosk_terminal.settings import KioskSettings
from protocol.codes import CodeBlock
from protocol.health import DeviceHealth, DeviceKind, Scalar
from protocol.messages import EventKind

log = logging.getLogger(__name__)

#: Runs a callable on the UI thread (Kivy's Clock); direct call when there is no UI.
Dispatch = Callable[[Callable[[], None]], None]


def _direct(fn: Callable[[], None]) -> None:
    fn()


@dataclass
class KioskRuntime:
    settings: KioskSettings
    session: KioskSession
    outbox: Outbox
    devices: KioskDevices
    backend: BackendClient
    speaker: Speaker
    printer: ReceiptPrinter
    card_reader: CardReader | None = None
    scanner: BarcodeScanner | None = None
    started: float = field(default_factory=time.monotonic)
    #: Who hears about what happens (the fleet agent): kind and data without identity.
    events: list[Callable[[EventKind, dict[str, Scalar]], None]] = field(default_factory=list)
    #: Called first on close (the agent says "offline" before the outbox closes).
    closers: list[Callable[[], None]] = field(default_factory=list)
    _closed: bool = False

    def emit(self, kind: EventKind, **data: Scalar) -> None:
        for listener in list(self.events):
            try:
                listener(kind, data)
            except Exception:  # reporting must never break a journey
                log.exception("event listener failed")

    def journey_done(self, journey: RequestJourney) -> None:
        """After a submission: what the fleet may know about it (no code, no person)."""
        if journey.accepted is None or journey.document is None:
            return
        self.emit(
            EventKind.REQUEST_SUBMITTED,
            document=journey.document.value,
            copies=journey.copies,
            pending=journey.accepted.pending,
        )
        if journey.step is RequestStep.DONE:
            self.emit(EventKind.RECEIPT_PRINTED, ticket=False)

    def _printer_event(self, ready: bool) -> None:
        if ready:
            self.emit(EventKind.DEVICE_CHANGED, device="printer", ready=True)
            return
        try:
            status = self.printer.status(timeout=1.0)
        except Exception:
            status = None
        if status is not None and status.paper_out:
            self.emit(EventKind.PAPER_OUT)
        elif status is not None and status.cover_open:
            self.emit(EventKind.COVER_OPEN)
        else:
            self.emit(EventKind.DEVICE_CHANGED, device="printer", ready=False)

    @property
    def simulated_paper(self) -> PaperModel | None:
        printer = self.printer
        return printer.model if isinstance(printer, SimulatedPrinter) else None

    def worker_step(self, dispatch: Dispatch = _direct) -> None:
        """One round of background work: printer watch, code blocks, outbox delivery."""
        session = self.session

        def changed(ready: bool) -> None:
            self._printer_event(ready)
            dispatch(lambda: session.printer_changed(ready))

        self.devices.watch(changed)
        self.outbox.refill_codes(
            self.settings.terminal_id, self.settings.code_low_water, self.settings.code_block_size
        )
        self.outbox.drain()

    def attach_card_reader(self, dispatch: Dispatch) -> None:
        reader = self.card_reader
        if reader is None:
            return

        def on_event(event: CardEvent, _reader: str) -> None:
            if event is CardEvent.CARD_INSERTED:
                dispatch(self.session.card_inserted)
            elif event is CardEvent.CARD_REMOVED:
                dispatch(self.session.card_removed)

        reader.add_listener(on_event)

    def attach_scanner(self, dispatch: Dispatch) -> None:
        scanner = self.scanner
        if scanner is None:
            return

        def on_scan(scan: Scan) -> None:
            if scan.kind is ScanKind.RECEIPT_QR:
                dispatch(lambda: self.session.scanned(scan.text))
            elif scan.kind is ScanKind.REQUEST_CODE:
                dispatch(lambda: self.session.scanned_code(scan.text))

        scanner.add_listener(on_scan)

    def device_health(self) -> dict[DeviceKind, DeviceHealth]:
        devices = self.devices.health()
        if self.scanner is not None:
            devices[DeviceKind.SCANNER] = self.scanner.health()
        return devices

    def health_provider(self) -> HealthProvider:
        """For the MQTT agent's telemetry: devices, outbox depth, this machine."""
        return system_health(
            devices=self.device_health,
            outbox=lambda: (self.outbox.depth(), self.outbox.oldest_age_s()),
            disk_path=str(self.settings.data_dir),
        )

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for closer in self.closers:
            try:
                closer()
            except Exception:
                log.exception("shutdown step failed")
        self.speaker.stop()
        self.outbox.close()
        for device in (self.printer, self.card_reader, self.scanner):
            if device is not None:
                try:
                    device.close()
                except Exception:  # closing on the way out must not raise
                    log.warning("device did not close cleanly")


def make_printer(settings: KioskSettings, simulated: bool) -> ReceiptPrinter:
    if simulated:
        return SimulatedPrinter(PaperModel())
    return EscposPrinter(
        PrinterConfig(
            connection=settings.printer_connection,
            profile=settings.printer_profile,
            host=settings.printer_host,
            port=settings.printer_port,
            serial_device=settings.printer_serial_device,
            file_path=settings.printer_file,
        )
    )


def card_mode(settings: KioskSettings, simulated: bool) -> str:
    """Which card reader the settings ask for: pcsc, simulated or none."""
    if settings.card != "auto":
        return settings.card
    if settings.card_reader:
        return "pcsc"
    return "simulated" if simulated else "none"


def make_card_reader(settings: KioskSettings, simulated: bool) -> CardReader | None:
    mode = card_mode(settings, simulated)
    if mode == "pcsc":
        from drivers.card.reader import PcscCardReader

        # An empty match takes the first reader pcscd lists (a terminal has one).
        return PcscCardReader(settings.card_reader or "", apdu_timeout_s=settings.card_timeout_s)
    if mode == "simulated":
        from drivers.card.simulator import SimulatedCardReader

        return SimulatedCardReader()
    return None


def open_input_devices(
    settings: KioskSettings, simulated: bool
) -> tuple[CardReader | None, BarcodeScanner | None]:
    """The card reader (``card`` setting: PC/SC, simulated or none) and the barcode scanner."""
    card = make_card_reader(settings, simulated)
    scanner: BarcodeScanner | None = None
    if simulated:
        from drivers.scanner.simulator import SimulatedScanner

        scanner = SimulatedScanner()
    elif settings.scanner:
        from drivers.scanner.serial import ScannerSettings, SerialScanner

        scanner = SerialScanner(ScannerSettings())
    for device in (card, scanner):
        if device is None:
            continue
        try:
            device.open()
        except Exception as exc:  # an absent device shows in telemetry, it does not stop us
            log.error("input device not available at start: %s", type(exc).__name__)
    return card, scanner


def offered_languages(codes: tuple[str, ...]) -> tuple[Lang, ...]:
    """The configured languages whose catalogue is translated enough to offer them."""
    offered = []
    for code in codes:
        if catalogue_ready(code):
            offered.append(Lang(code))
        else:
            log.warning("language %s not offered: its screen texts are not translated yet", code)
    return tuple(offered) or (Lang.AR, Lang.FR)


def _year() -> int:
    return datetime.now(UTC).year


def office_info(settings: KioskSettings) -> OfficeInfo:
    return OfficeInfo(
        code=settings.office_code,
        name_ar=settings.office_name_ar,
        name_fr=settings.office_name_fr,
        counter_ar=settings.counter_ar,
        counter_fr=settings.counter_fr,
    )


def build_runtime(
    settings: KioskSettings,
    simulated: bool = True,
    printer: ReceiptPrinter | None = None,
    backend: BackendClient | None = None,
    card_reader: CardReader | None = None,
    scanner: BarcodeScanner | None = None,
) -> KioskRuntime:
    data = settings.data_dir / "kiosk"
    data.mkdir(parents=True, exist_ok=True)
    office = office_info(settings)
    configured_backend = backend is not None or bool(settings.backend_url)
    if backend is None:
        backend = (
            HttpBackend(
                settings.backend_url,
                settings.backend_token.get_secret_value() if settings.backend_token else None,
                settings.backend_timeout_s,
            )
            if settings.backend_url
            else NoBackend()
        )
    printer = printer or make_printer(settings, simulated)
    try:
        printer.open()
    except Exception as exc:  # a missing printer is out of service, not a crash
        log.error("printer not available at start: %s", type(exc).__name__)
    jobs = make_print_jobs(printer, data / "print-jobs.json", settings.printer_profile)
    devices = KioskDevices(
        printer, jobs, office, card_reader, card_timeout_s=settings.card_timeout_s,
        ready_cache_s=2.0,
    )  # fmt: skip
    outbox = Outbox(data / "outbox.db", backend)
    if simulated and not configured_backend and outbox.codes_left() == 0:
        # A simulated kiosk with no registry still shows offline acceptance: it gets a block
        # at the top of the office's range, which a real registry never hands out first.
        log.warning("simulated kiosk without backend: using a demo block of request codes")
        outbox.add_block(CodeBlock(settings.office_code, _year(), 990_000, 999_999))
    deps = RequestDeps(
        backend=backend,
        devices=devices,
        submitter=outbox,
        office=office,
        terminal_id=settings.terminal_id,
    )
    session = KioskSession(
        SessionDeps(request=deps, catalog=ProceduresCatalog()),
        SessionSettings(
            idle_timeout_s=settings.idle_timeout_s,
            warning_s=settings.warning_s,
            languages=offered_languages(settings.languages),
        ),
    )
    speaker = Speaker(enabled=settings.speech, clips_dir=settings.clips_dir)
    runtime = KioskRuntime(
        settings=settings,
        session=session,
        outbox=outbox,
        devices=devices,
        backend=backend,
        speaker=speaker,
        printer=printer,
        card_reader=card_reader,
        scanner=scanner,
    )
    session.on_abandon.append(
        lambda: runtime.emit(EventKind.JOURNEY_ABANDONED, screen=session.screen.value)
    )
    owed = devices.start_up()
    if owed:
        log.info("reprinted %d receipts owed from before the restart", len(owed))
    session.printer_ok = devices.printer_ready()
    if not session.printer_ok:
        session.reset()
    return runtime
