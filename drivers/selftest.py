"""Hardware self-tests: print a test receipt, read a test card, wait for a test scan.

Each returns a ``SelfTestResult`` the technician CLI prints and a remote command sends back.
Results carry no identity data: a card test says that DG1 was read and checked, not what it
holds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from drivers.card.interface import CardKind, CardReader
from drivers.card.mrz import BacKey
from drivers.errors import DeviceError
from drivers.printer.interface import ReceiptPrinter
from drivers.printer.receipt import ReceiptContent, sample_content
from drivers.scanner.interface import BarcodeScanner
from protocol.health import DeviceHealth, DeviceKind, HealthState, Scalar

T = TypeVar("T")


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    ok: bool
    message: str | None = None
    duration_ms: float


class SelfTestResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    device: DeviceKind
    passed: bool
    health: DeviceHealth
    steps: list[Step]
    started_at: datetime
    duration_ms: float
    detail: dict[str, Scalar] = Field(default_factory=dict)


class _Run:
    """Collects steps; a failed step stops the test (later steps would only repeat it)."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.failed = False

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        except (DeviceError, OSError, ValueError) as exc:
            self.failed = True
            self.steps.append(Step(name=name, ok=False, message=str(exc), duration_ms=_ms(began)))
            raise _Stop from exc
        self.steps.append(Step(name=name, ok=True, duration_ms=_ms(began)))

    def check(self, name: str, ok: bool, message: str | None = None) -> None:
        self.steps.append(Step(name=name, ok=ok, message=None if ok else message, duration_ms=0))
        if not ok:
            self.failed = True
            raise _Stop

    def result(self, device: DeviceKind, health: DeviceHealth, **detail: Scalar) -> SelfTestResult:
        return SelfTestResult(
            device=device,
            passed=not self.failed and health.state in (HealthState.OK, HealthState.DEGRADED),
            health=health,
            steps=self.steps,
            started_at=self.started_at,
            duration_ms=_ms(self.started),
            detail=detail,
        )


class _Stop(Exception):  # noqa: N818 - internal control flow
    pass


def _ms(since: float) -> float:
    return round((time.monotonic() - since) * 1000, 1)


def _run(body: Callable[[_Run], T]) -> tuple[_Run, T | None]:
    run = _Run()
    try:
        return run, body(run)
    except _Stop:
        return run, None


def selftest_receipt_content() -> ReceiptContent:
    return sample_content().model_copy(
        update={
            "office_name_ar": "اختبار الطابعة – Sijill",
            "office_name_fr": "Test imprimante – Sijill",
            "issued_at": datetime.now(UTC),
        }
    )


def selftest_printer(
    printer: ReceiptPrinter,
    encode: Callable[[ReceiptContent], bytes],
    *,
    print_receipt: bool = True,
    timeout: float = 5.0,
) -> SelfTestResult:
    """Open, read the status, print a test receipt, read the status again."""
    sent = 0

    def body(run: _Run) -> None:
        nonlocal sent
        with run.step("open"):
            printer.open()
        status = printer.status(timeout)
        run.check(
            "status before printing",
            not status.known or status.ready,
            status.health().reason,
        )
        if print_receipt:
            data = encode(selftest_receipt_content())
            with run.step("print test receipt"):
                printer.send(data, timeout=timeout * 4)
            sent = len(data)
            after = printer.status(timeout)
            ok_after = not after.known or after.ready
            run.check("status after printing", ok_after, after.health().reason)

    run, _ = _run(body)
    health = printer.health()
    printer.close()
    return run.result(DeviceKind.PRINTER, health, bytes_sent=sent)


def selftest_card(
    reader: CardReader, *, wait_s: float = 30.0, key: BacKey | None = None, timeout: float = 5.0
) -> SelfTestResult:
    """Wait for a card, say what it is, and read DG1 when the test card's key is given."""
    kind = CardKind.UNKNOWN

    def body(run: _Run) -> None:
        nonlocal kind
        with run.step("open"):
            reader.open()
        run.check("card present", reader.wait_for_card(wait_s), f"no card within {wait_s:.0f} s")
        with run.step("identify card"):
            kind = reader.card_kind(timeout)
        run.check("known card", kind is not CardKind.UNKNOWN, "not an eMRTD nor a staff badge")
        if kind is CardKind.EMRTD and key is not None:
            with run.step("BAC and DG1"):
                dg1 = reader.read_document(key, timeout)
            run.check("DG1 check digits", dg1.checks_ok, "DG1 check digits do not match")

    run, _ = _run(body)
    health = reader.health()
    reader.close()
    return run.result(DeviceKind.CARD_READER, health, card=kind.value)


def selftest_scanner(
    scanner: BarcodeScanner,
    *,
    wait_s: float = 30.0,
    trigger: Callable[[], None] | None = None,
) -> SelfTestResult:
    """Wait for one accepted scan (``trigger`` makes a simulated one)."""
    kind = ""

    def body(run: _Run) -> None:
        nonlocal kind
        with run.step("open"):
            scanner.open()
        if trigger is not None:
            with run.step("simulated scan"):
                trigger()
        scan = scanner.wait_for_scan(wait_s)
        run.check("scan received", scan is not None, f"no valid scan within {wait_s:.0f} s")
        kind = scan.kind.value if scan else ""

    run, _ = _run(body)
    health = scanner.health()
    scanner.close()
    return run.result(DeviceKind.SCANNER, health, scan_kind=kind)
