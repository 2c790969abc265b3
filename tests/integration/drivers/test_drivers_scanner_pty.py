"""The serial scanner driver over socat pty pairs: framing, noise, debounce, reconnect."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.scanner.interface import Scan, ScanKind, ScannerEvent
from drivers.scanner.ptypair import SocatPair
from drivers.scanner.serial import ScannerSettings, SerialScanner
from drivers.scanner.simulator import ScannerDevice
from protocol.health import HealthState

pytestmark = pytest.mark.integration

CODE = "MK07-2026-004213-4"
QR = "SJ1|MK07-2026-004213-4|7Q2FX9KM"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[SocatPair]:
    ptys = SocatPair(tmp_path / "ttyHOST", tmp_path / "ttySCANNER").start()
    yield ptys
    ptys.stop()


def scanner_on(pair: SocatPair, **settings: object) -> SerialScanner:
    scanner = SerialScanner(
        ScannerSettings(device=str(pair.host_link), reconnect_s=0.1, **settings)  # type: ignore[arg-type]
    )
    scanner.open()
    assert scanner.wait_connected(5)
    return scanner


def test_codes_with_every_terminator_and_split_frames(pair: SocatPair) -> None:
    scanner = scanner_on(pair, debounce_s=0)
    try:
        for terminator in (b"\r", b"\n", b"\r\n"):
            device = ScannerDevice(str(pair.device_link), terminator=terminator)
            device.scan(CODE)
            assert scanner.wait_for_scan(3) == Scan(CODE, ScanKind.REQUEST_CODE)
            device.close()
        device = ScannerDevice(str(pair.device_link))
        device.scan(QR, chunk_delay_s=0.002)
        assert scanner.wait_for_scan(3) == Scan(QR, ScanKind.RECEIPT_QR)
        device.close()
        assert scanner.health().state is HealthState.OK
    finally:
        scanner.close()


def test_noise_and_bad_check_digits_are_rejected(pair: SocatPair) -> None:
    scanner = scanner_on(pair, debounce_s=0)
    rejected: list[str] = []
    scanner.add_event_listener(
        lambda event, detail: rejected.append(detail) if event is ScannerEvent.REJECTED else None
    )
    device = ScannerDevice(str(pair.device_link))
    try:
        device.noise(24)
        device.scan("MK07-2026-004213-5")
        device.scan("4006381333932")
        device.raw(b"\x00\x01\x02\r")
        device.scan(CODE)
        assert scanner.wait_for_scan(3) == Scan(CODE, ScanKind.REQUEST_CODE)
        assert scanner.wait_for_scan(0.2) is None
        assert rejected[-3:] == ["check digit", "check digit", "noise"]
        assert scanner.rejected >= 4
    finally:
        device.close()
        scanner.close()


def test_prefix_suffix_and_debounce(pair: SocatPair) -> None:
    scanner = scanner_on(pair, prefix="]C0", suffix="~", debounce_s=1.0)
    device = ScannerDevice(str(pair.device_link), prefix="]C0", suffix="~")
    try:
        for _ in range(3):
            device.scan(CODE)  # a held trigger
        assert scanner.wait_for_scan(3) == Scan(CODE, ScanKind.REQUEST_CODE)
        assert scanner.wait_for_scan(0.3) is None
        time.sleep(1.1)
        device.scan(CODE)
        assert scanner.wait_for_scan(3) == Scan(CODE, ScanKind.REQUEST_CODE)
    finally:
        device.close()
        scanner.close()


def test_reconnects_after_the_pty_goes_away_and_comes_back(pair: SocatPair) -> None:
    scanner = scanner_on(pair, debounce_s=0)
    events: list[ScannerEvent] = []
    scanner.add_event_listener(lambda event, _detail: events.append(event))
    try:
        pair.stop()  # unplugged
        deadline = time.monotonic() + 5
        while scanner.health().state is not HealthState.ABSENT and time.monotonic() < deadline:
            time.sleep(0.02)
        assert scanner.health().state is HealthState.ABSENT
        assert ScannerEvent.DISCONNECTED in events
        pair.start()  # plugged back, same device names
        assert scanner.wait_connected(5)
        device = ScannerDevice(str(pair.device_link))
        device.scan(CODE)
        assert scanner.wait_for_scan(3) == Scan(CODE, ScanKind.REQUEST_CODE)
        device.close()
        assert events.count(ScannerEvent.CONNECTED) == 1
    finally:
        scanner.close()


def test_missing_device_is_absent_and_bounded() -> None:
    scanner = SerialScanner(ScannerSettings(device="/dev/does-not-exist", reconnect_s=0.1))
    scanner.open()
    try:
        time.sleep(0.2)
        health = scanner.health()
        assert health.state is HealthState.ABSENT
        started = time.monotonic()
        assert scanner.wait_for_scan(0.2) is None
        assert time.monotonic() - started < 1.0
    finally:
        scanner.close()
