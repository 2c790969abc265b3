"""Driver figures: receipt render + encode, bytes per receipt, status poll latency, BAC read.

Run: .venv/bin/python bench/bench_drivers.py [--rounds N] [--no-card] [--no-scanner]
Starts pcscd (if none answers) for the BAC figure and a socat pair for the scanner figure.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from drivers.card.applets import EmrtdApplet, td1_mrz
from drivers.card.mrz import BacKey
from drivers.card.simulator import AppletChannel
from drivers.printer.encode import encode_raster, encode_receipt
from drivers.printer.escpos import EscposPrinter, PrinterConfig
from drivers.printer.receipt import DotWidth, render_receipt, sample_content
from drivers.printer.simulator import PaperModel, PrinterSimulatorServer, SimulatedPrinter

KEY = BacKey("ZZ000001", "900115", "300101")
MRZ = td1_mrz("ZZ000001", "900115", "300101", "SPECIMEN", "TEST")


@dataclass
class Samples:
    wall_ms: list[float]
    cpu_ms: list[float]  # this process's CPU time: steadier than wall time on a busy machine


def timed(fn: Callable[[], object], rounds: int) -> Samples:
    fn()  # warm-up: fonts, caches, connections
    samples = Samples([], [])
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.wall_ms.append((time.perf_counter() - start) * 1000)
        samples.cpu_ms.append((time.process_time() - cpu) * 1000)
    return samples


def line(label: str, samples: Samples) -> None:
    ordered = sorted(samples.wall_ms)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{label:<50} median {statistics.median(ordered):8.3f} ms  p95 {p95:8.3f} ms  "
        f"max {ordered[-1]:8.3f} ms  cpu median {statistics.median(samples.cpu_ms):8.3f} ms  "
        f"n={len(ordered)}"
    )


def bench_receipts(rounds: int) -> None:
    content = sample_content()
    widths: tuple[tuple[DotWidth, str], ...] = ((576, "TM-T20II"), (384, "ZJ-5870"))
    for width, profile in widths:
        image = render_receipt(content, width)
        line(f"render receipt {width} dots", timed(partial(render_receipt, content, width), rounds))
        line(
            f"encode ESC/POS raster {width} dots",
            timed(partial(encode_raster, image, profile), rounds),
        )
        slow = partial(encode_raster, image, profile, via_escpos_image=True)
        line(f"  (same through escpos image(): {width} dots)", timed(slow, rounds))
        line(
            f"render + encode {width} dots (target <= 40 ms)",
            timed(partial(encode_receipt, content, width, profile), rounds),
        )
        data = encode_raster(image, profile)
        dup = encode_receipt(content.as_duplicate(), width, profile)
        print(
            f"{'bytes per receipt ' + str(width) + ' dots':<50} {len(data)} bytes "
            f"({image.height} rows, {image.height * 25.4 / 203:.0f} mm); duplicate {len(dup)} bytes"
        )


def bench_status(rounds: int) -> None:
    sim = SimulatedPrinter(PaperModel())
    sim.open()
    line("status poll, in-process simulator", timed(sim.status, rounds))
    server = PrinterSimulatorServer().start()
    printer = EscposPrinter(PrinterConfig(host=server.host, port=server.port, timeout_s=2))
    printer.open()
    try:
        line("status poll over TCP (DLE EOT 1, 2, 4)", timed(printer.status, rounds))
        data = encode_raster(render_receipt(sample_content(), 576), "TM-T20II")
        line("send one receipt over TCP (loopback)", timed(lambda: printer.send(data), rounds))
    finally:
        printer.close()
        server.stop()


def bench_bac(rounds: int, through_pcscd: bool) -> None:
    from drivers.card.emrtd import read_dg1

    def in_process() -> None:
        read_dg1(AppletChannel(EmrtdApplet(MRZ, KEY)), KEY)

    line("BAC + DG1, in-process card (crypto only)", timed(in_process, rounds))
    if not through_pcscd:
        return
    from drivers.card.pcscd import Pcscd
    from drivers.card.reader import PcscCardReader
    from drivers.card.simulator import VirtualCard

    daemon = Pcscd().ensure()
    card = VirtualCard(EmrtdApplet(MRZ, KEY)).insert()
    reader = PcscCardReader("Virtual PCD 00 00", poll_s=0.05)
    reader.open()
    try:
        if not reader.wait_for_card(20):
            print("BAC via pcscd: no card seen")
            return
        line(
            "BAC + DG1 via pcscd + vpcd + virtual card",
            timed(lambda: reader.read_document(KEY), max(5, rounds // 4)),
        )
        before = card.apdu_count
        reader.read_document(KEY)
        print(f"{'APDUs per BAC + DG1 read':<50} {card.apdu_count - before}")
    finally:
        reader.close()
        card.remove()
        if daemon.owned:
            daemon.stop()


def bench_scanner(rounds: int) -> None:
    from drivers.scanner.ptypair import SocatPair
    from drivers.scanner.serial import ScannerSettings, SerialScanner
    from drivers.scanner.simulator import ScannerDevice

    with tempfile.TemporaryDirectory() as folder:
        pair = SocatPair(Path(folder) / "host", Path(folder) / "dev").start()
        scanner = SerialScanner(ScannerSettings(device=str(pair.host_link), debounce_s=0))
        scanner.open()
        scanner.wait_connected(5)
        device = ScannerDevice(str(pair.device_link))
        try:

            def one() -> None:
                device.scan(str(sample_content().request_code))
                if scanner.wait_for_scan(2) is None:
                    raise RuntimeError("scan lost")

            line("scan over a pty pair, write to accepted code", timed(one, rounds))
        finally:
            device.close()
            scanner.close()
            pair.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--no-card", action="store_true", help="skip the pcscd figure")
    parser.add_argument("--no-scanner", action="store_true", help="skip the pty figure")
    args = parser.parse_args()
    bench_receipts(args.rounds)
    bench_status(args.rounds)
    bench_bac(args.rounds, through_pcscd=not args.no_card)
    if not args.no_scanner:
        bench_scanner(args.rounds)


if __name__ == "__main__":
    main()
