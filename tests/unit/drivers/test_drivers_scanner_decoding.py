"""Scanner framing, code checks and debounce."""

from __future__ import annotations

from drivers.scanner.decoding import CodeRules, Debouncer, FrameSplitter, ean_valid
from drivers.scanner.interface import Rejection, Scan, ScanKind, ScannerEvent
from drivers.scanner.simulator import SimulatedScanner
from protocol.health import HealthState

CODE = "MK07-2026-004213-4"
QR = "SJ1|MK07-2026-004213-4|7Q2FX9KM"


def test_cr_lf_and_crlf_all_end_a_frame_even_across_chunks() -> None:
    splitter = FrameSplitter()
    assert splitter.feed(b"A1\rB2\nC3\r") == [b"A1", b"B2", b"C3"]
    assert splitter.feed(b"\nD4\r") == [b"D4"]  # the LF of a CR LF is not a frame
    assert splitter.feed(b"E5") == []
    assert splitter.feed(b"\r\n") == [b"E5"]


def test_a_frame_that_never_ends_is_dropped_as_noise() -> None:
    splitter = FrameSplitter(max_frame=8)
    assert splitter.feed(b"0123456789ABCDEF\rOK12\r") == [b"\x00", b"OK12"]
    assert isinstance(CodeRules().classify(b"\x00"), Rejection)


def test_request_codes_are_checked_and_normalized() -> None:
    rules = CodeRules()
    assert rules.classify(CODE.encode()) == Scan(CODE, ScanKind.REQUEST_CODE)
    assert rules.classify(b"mk07-2026-004213-4") == Scan(CODE, ScanKind.REQUEST_CODE)
    assert rules.classify(b"MK07-2026-004213-5") == Rejection("check digit")
    assert rules.classify(b"MK07-2026-004231-4") == Rejection("check digit")  # swapped digits


def test_receipt_qr_and_ean() -> None:
    rules = CodeRules()
    assert rules.classify(QR.encode()) == Scan(QR, ScanKind.RECEIPT_QR)
    assert rules.classify(b"SJ1|MK07-2026-004213-5|7Q2FX9KM") == Rejection("check digit")
    assert rules.classify(b"4006381333931") == Scan("4006381333931", ScanKind.EAN)
    assert rules.classify(b"4006381333932") == Rejection("check digit")
    assert ean_valid("96385074")
    assert ean_valid("036000291452")


def test_noise_prefix_suffix_and_other_formats() -> None:
    rules = CodeRules(prefix="]C0", suffix="#")
    assert rules.classify(b"]C0" + CODE.encode() + b"#") == Scan(CODE, ScanKind.REQUEST_CODE)
    assert rules.classify(CODE.encode() + b"#") == Rejection("missing prefix")
    assert rules.classify(b"]C0" + CODE.encode()) == Rejection("missing suffix")
    plain = CodeRules()
    assert plain.classify(b"\xff\xfe\x01abc") == Rejection("noise")
    assert plain.classify(b"ab\x07cd") == Rejection("noise")
    assert plain.classify(b"xy") == Rejection("noise")
    assert plain.classify(b"HELLO-WORLD") == Rejection("unknown format")
    assert CodeRules(accept_other=True).classify(b"HELLO") == Scan("HELLO", ScanKind.OTHER)


def test_debounce_drops_repeats_within_the_window() -> None:
    now = [0.0]
    debouncer = Debouncer(window_s=1.0, clock=lambda: now[0])
    scan = Scan(CODE, ScanKind.REQUEST_CODE)
    other = Scan("4006381333931", ScanKind.EAN)
    assert debouncer.accept(scan)
    now[0] = 0.5
    assert not debouncer.accept(scan)
    now[0] = 1.2  # held trigger: 0.7 s after the last repeat
    assert not debouncer.accept(scan)
    now[0] = 2.5
    assert debouncer.accept(scan)
    assert debouncer.accept(other)
    assert debouncer.accept(scan)  # another code came in between


def test_simulated_scanner_uses_the_same_rules() -> None:
    scanner = SimulatedScanner(debounce_s=10)
    events: list[tuple[ScannerEvent, str]] = []
    scanner.add_event_listener(lambda event, detail: events.append((event, detail)))
    scanner.inject(CODE)
    scanner.inject(CODE)
    scanner.inject("MK07-2026-004213-5")
    scanner.feed(b"\x13\x88\x99\r")
    assert scanner.wait_for_scan(0.1) == Scan(CODE, ScanKind.REQUEST_CODE)
    assert scanner.wait_for_scan(0.05) is None
    assert events == [
        (ScannerEvent.SCANNED, "request_code"),
        (ScannerEvent.REJECTED, "check digit"),
        (ScannerEvent.REJECTED, "noise"),
    ]
    scanner.plugged = False
    assert scanner.health().state is HealthState.ABSENT
