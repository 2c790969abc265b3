"""The real printer driver over real wires: TCP (python-escpos Network) and a file.

The far end is the printer simulator; what it received is decoded back to a PNG and read
back with zbarimg, as a technician would check a real printout.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.errors import DeviceUnavailable, PaperOut
from drivers.printer.decode import decode_to_png
from drivers.printer.encode import encode_receipt
from drivers.printer.escpos import EscposPrinter, PrinterConfig
from drivers.printer.jobs import JobJournal, JobState, PrintJobs
from drivers.printer.receipt import ReceiptContent, sample_content
from drivers.printer.simulator import PaperModel, PrinterSimulatorServer
from protocol.health import HealthState

pytestmark = pytest.mark.integration


def zbar(png: Path) -> set[str]:
    done = subprocess.run(
        ["zbarimg", "-q", "--raw", "-Sqrcode.enable", "-Scode128.enable", str(png)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return {line for line in done.stdout.splitlines() if line}


def full_black_rows(png: Path) -> int:
    from PIL import Image

    img = Image.open(png).convert("1")
    row_bytes = (img.width + 7) // 8
    data = img.tobytes()
    black = b"\x00" * row_bytes
    return sum(1 for y in range(img.height) if data[y * row_bytes : (y + 1) * row_bytes] == black)


@pytest.fixture
def server() -> Iterator[PrinterSimulatorServer]:
    sim = PrinterSimulatorServer(PaperModel(dot_width=576)).start()
    yield sim
    sim.stop()


def network_printer(sim: PrinterSimulatorServer) -> EscposPrinter:
    printer = EscposPrinter(
        PrinterConfig(connection="network", host=sim.host, port=sim.port, timeout_s=2.0)
    )
    printer.open()
    return printer


def encoder(content: ReceiptContent) -> bytes:
    return encode_receipt(content, 576, "TM-T20II")


def test_receipt_over_tcp_decodes_to_a_png_zbar_reads(
    server: PrinterSimulatorServer, tmp_path: Path
) -> None:
    printer = network_printer(server)
    assert printer.health().state is HealthState.OK
    jobs = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), encoder)
    jobs.print("job-1", sample_content())
    printer.close()
    png = tmp_path / "receipt.png"
    result = decode_to_png(bytes(server.received), png)
    assert len(result.receipts) == 1
    assert result.status_queries >= 6  # before and after the job
    assert zbar(png) == {"SJ1|MK07-2026-004213-4|7Q2FX9KM", "MK07-2026-004213-4"}
    assert full_black_rows(png) == 0


def test_status_over_tcp_follows_the_paper_and_cover(server: PrinterSimulatorServer) -> None:
    printer = network_printer(server)
    server.model.paper_mm = 100.0
    assert printer.health().state is HealthState.DEGRADED
    server.model.cover_open = True
    assert printer.health().reason == "cover open"
    server.model.cover_open = False
    server.model.paper_mm = 0.0
    status = printer.status(timeout=1.0)
    assert status.paper_out
    assert not status.online
    printer.close()


def test_paper_out_mid_job_then_the_whole_receipt_once_more(
    server: PrinterSimulatorServer, tmp_path: Path
) -> None:
    server.model.paper_mm = 100.0  # 10 cm: runs out inside the receipt
    printer = network_printer(server)
    jobs = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), encoder)
    with pytest.raises(PaperOut):
        jobs.print("job-1", sample_content())
    assert server.model.cuts == 0
    server.model.load_paper(20_000.0)
    assert jobs.resume() == ["job-1"]
    assert jobs.resume() == []
    assert server.model.cuts == 1
    png = tmp_path / "printed.png"
    printed = decode_to_png(bytes(server.model.printed), png)
    assert len(printed.receipts) == 2  # the torn stub, then the full receipt
    assert "MK07-2026-004213-4" in zbar(png)
    assert full_black_rows(png) == 0  # not a duplicate: we know it stopped


def test_printer_power_cut_gives_a_duplicate_after_reconnect(
    server: PrinterSimulatorServer, tmp_path: Path
) -> None:
    printer = network_printer(server)
    jobs = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), encoder)
    assert printer.health().state is HealthState.OK
    server.power_cut_after = 30_000  # switched off a third of the way into the job
    with pytest.raises(DeviceUnavailable):
        jobs.print("job-1", sample_content())
    record = jobs.journal.get("job-1")
    assert record is not None
    assert record.state is JobState.INTERRUPTED
    assert printer.health().state is HealthState.OK  # reconnects by itself
    server.received.clear()
    assert jobs.resume() == ["job-1"]
    png = tmp_path / "dup.png"
    decode_to_png(bytes(server.received), png)
    assert full_black_rows(png) > 10  # the DUPLICATA band
    assert "MK07-2026-004213-4" in zbar(png)


def test_unreachable_printer_is_absent_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, not listening: connection refused
        printer = EscposPrinter(PrinterConfig(host="127.0.0.1", port=port, timeout_s=1.0))
        health = printer.health()
    assert health.state is HealthState.ABSENT
    with pytest.raises(DeviceUnavailable):
        printer.open()


def test_file_printer_writes_the_bytes_and_has_no_status(tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    printer = EscposPrinter(PrinterConfig(connection="file", file_path=out))
    printer.open()
    assert printer.health().state is HealthState.UNKNOWN
    jobs = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), encoder)
    jobs.print("job-1", sample_content(duplicate=True))
    printer.close()
    png = tmp_path / "file.png"
    result = decode_to_png(out.read_bytes(), png)
    assert len(result.receipts) == 1
    assert zbar(png) == {"SJ1|MK07-2026-004213-4|7Q2FX9KM", "MK07-2026-004213-4"}


def test_monitor_sees_the_network_printer_go_and_come_back() -> None:
    from drivers.printer.interface import PrinterEvent
    from drivers.printer.monitor import PrinterMonitor

    first = PrinterSimulatorServer().start()
    port = first.port
    printer = EscposPrinter(PrinterConfig(host=first.host, port=port, timeout_s=1.0))
    monitor = PrinterMonitor(printer, status_timeout_s=0.5)
    events: list[PrinterEvent] = []
    monitor.add_listener(lambda event, _status: events.append(event))
    monitor.poll()
    assert monitor.health().state is HealthState.OK
    first.stop()  # switched off
    monitor.poll()
    assert monitor.health().state is HealthState.ABSENT
    second = PrinterSimulatorServer(port=port).start()  # switched on again
    try:
        monitor.poll()
        assert monitor.health().state is HealthState.OK
        assert events == [
            PrinterEvent.ONLINE,
            PrinterEvent.DISCONNECTED,
            PrinterEvent.CONNECTED,
            PrinterEvent.ONLINE,
        ]
    finally:
        printer.close()
        second.stop()


def test_native_qr_and_code128_over_tcp_decode_and_read_back(
    server: PrinterSimulatorServer, tmp_path: Path
) -> None:
    printer = network_printer(server)

    def native(content: ReceiptContent) -> bytes:
        return encode_receipt(content, 576, "TM-T20II", native_codes=True)

    PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), native).print("n-1", sample_content())
    printer.close()
    png = tmp_path / "native.png"
    result = decode_to_png(bytes(server.model.printed), png)
    assert len(result.receipts) == 1
    assert zbar(png) == {"SJ1|MK07-2026-004213-4|7Q2FX9KM", "MK07-2026-004213-4"}


def test_serial_printer_over_a_pty_pair(tmp_path: Path) -> None:
    from drivers.printer.simulator import PrinterSimulatorSerial
    from drivers.scanner.ptypair import SocatPair

    pair = SocatPair(tmp_path / "ttyPRINTER", tmp_path / "ttyDEVICE").start()
    sim = PrinterSimulatorSerial(str(pair.device_link)).start()
    printer = EscposPrinter(
        PrinterConfig(connection="serial", serial_device=str(pair.host_link), timeout_s=2.0)
    )
    try:
        started = time.monotonic()
        assert printer.health().state is HealthState.OK
        assert time.monotonic() - started < 0.5  # one byte per query, not escpos's timeout
        jobs = PrintJobs(printer, JobJournal(tmp_path / "jobs.json"), encoder)
        jobs.print("s-1", sample_content())
        sim.model.paper_mm = 0
        assert printer.status(timeout=1.0).paper_out
    finally:
        printer.close()
        sim.stop()
        pair.stop()
    png = tmp_path / "serial.png"
    decode_to_png(bytes(sim.model.printed), png)
    assert "MK07-2026-004213-4" in zbar(png)


def test_a_blocked_device_node_times_out(tmp_path: Path) -> None:
    import os

    from drivers.errors import DeviceTimeout

    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a printer that never takes data
    try:
        printer = EscposPrinter(PrinterConfig(connection="file", file_path=fifo))
        started = time.monotonic()
        with pytest.raises(DeviceTimeout):
            printer.send(encoder(sample_content()), timeout=0.3)
        assert time.monotonic() - started < 2.0
    finally:
        os.close(reader)


def test_usb_printer_not_plugged_is_absent() -> None:
    # Vendor/product of no device on a test machine: libusb enumerates the bus and finds none.
    printer = EscposPrinter(
        PrinterConfig(connection="usb", usb_vendor=0xFFFE, usb_product=0xFFFE, timeout_s=1.0)
    )
    health = printer.health()
    assert health.state is HealthState.ABSENT
    assert health.reason == "printer not reachable over usb"


def test_missing_device_node_is_absent_and_not_created() -> None:
    node = Path("/dev/usb/lp-sijill-test")
    printer = EscposPrinter(PrinterConfig(connection="file", file_path=node))
    assert printer.health().state is HealthState.ABSENT
    assert not node.exists()
