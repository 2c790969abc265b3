"""Self-tests against the in-process simulators: structured results, failures explained."""

from __future__ import annotations

from drivers.card.applets import BlankApplet, EmrtdApplet, td1_mrz
from drivers.card.mrz import BacKey
from drivers.card.simulator import SimulatedCardReader
from drivers.printer.decode import decode
from drivers.printer.encode import encode_receipt
from drivers.printer.receipt import ReceiptContent
from drivers.printer.simulator import PaperModel, SimulatedPrinter
from drivers.scanner.simulator import SimulatedScanner
from drivers.selftest import selftest_card, selftest_printer, selftest_scanner
from protocol.health import DeviceKind, HealthState

KEY = BacKey("ZZ000001", "900115", "300101")


def encoder(content: ReceiptContent) -> bytes:
    return encode_receipt(content, 384, "ZJ-5870")


def test_printer_selftest_prints_a_receipt() -> None:
    printer = SimulatedPrinter(PaperModel(dot_width=384))
    result = selftest_printer(printer, encoder)
    assert result.passed
    assert result.device is DeviceKind.PRINTER
    assert [s.name for s in result.steps] == [
        "open",
        "status before printing",
        "print test receipt",
        "status after printing",
    ]
    assert isinstance(result.detail["bytes_sent"], int)
    assert result.detail["bytes_sent"] > 10_000
    assert len(decode(bytes(printer.model.printed)).receipts) == 1


def test_printer_selftest_explains_paper_out() -> None:
    printer = SimulatedPrinter(PaperModel(paper_mm=0))
    result = selftest_printer(printer, encoder)
    assert not result.passed
    assert result.steps[-1].name == "status before printing"
    assert result.steps[-1].message == "paper out"
    assert result.health.state is HealthState.ERROR


def test_printer_selftest_unplugged() -> None:
    printer = SimulatedPrinter()
    printer.plugged = False
    result = selftest_printer(printer, encoder)
    assert not result.passed
    assert result.steps[0].ok is False
    assert result.health.state is HealthState.ABSENT


def test_card_selftest_reads_dg1_without_reporting_it() -> None:
    reader = SimulatedCardReader()
    reader.insert(EmrtdApplet(td1_mrz(*("ZZ000001", "900115", "300101"), "SPECIMEN", "TEST"), KEY))
    result = selftest_card(reader, wait_s=0.1, key=KEY)
    assert result.passed
    assert result.detail == {"card": "emrtd"}
    assert "SPECIMEN" not in result.model_dump_json()


def test_card_selftest_without_card_or_with_an_unknown_one() -> None:
    reader = SimulatedCardReader()
    result = selftest_card(reader, wait_s=0.05)
    assert not result.passed
    assert result.steps[-1].message == "no card within 0 s"
    reader.insert(BlankApplet())
    result = selftest_card(reader, wait_s=0.05)
    assert not result.passed
    assert result.detail == {"card": "unknown"}


def test_scanner_selftest() -> None:
    scanner = SimulatedScanner()
    result = selftest_scanner(scanner, wait_s=0.1, trigger=lambda: scanner.inject("4006381333931"))
    assert result.passed
    assert result.detail == {"scan_kind": "ean"}
    result = selftest_scanner(scanner, wait_s=0.05)
    assert not result.passed
