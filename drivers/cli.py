"""``sijill drivers …``: hardware self-tests and receipt tools for technicians."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from drivers.printer.decode import decode_to_png
from drivers.printer.encode import encode_raster
from drivers.printer.receipt import render_receipt, sample_content
from drivers.selftest import SelfTestResult, selftest_card, selftest_printer, selftest_scanner

app = typer.Typer(help="Kiosk hardware: self-tests, receipt rendering and decoding.")
selftest_app = typer.Typer(help="Self-test one device and print a structured result (JSON).")
app.add_typer(selftest_app, name="selftest")

# The test document of the virtual card (not a real person).
_VIRTUAL_DOC = ("ZZ000001", "900115", "300101")


def _report(result: SelfTestResult) -> None:
    typer.echo(result.model_dump_json(indent=2))
    raise typer.Exit(0 if result.passed else 1)


@selftest_app.command("printer")
def selftest_printer_command(
    simulate: Annotated[
        bool, typer.Option(help="Test against the built-in network printer simulator.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="With --simulate: save what was printed as a PNG.")
    ] = None,
    no_print: Annotated[bool, typer.Option(help="Only query the status.")] = False,
) -> None:
    """Print a test receipt on the configured printer (SIJILL_PRINTER_*) and check its status."""
    from drivers.printer.escpos import EscposPrinter, PrinterSettings
    from drivers.printer.simulator import PrinterSimulatorServer

    settings = PrinterSettings()
    server = None
    if simulate:
        server = PrinterSimulatorServer().start()
        settings = settings.model_copy(
            update={"connection": "network", "address": server.host, "tcp_port": server.port}
        )
    config = settings.config()
    try:
        result = selftest_printer(
            EscposPrinter(config),
            settings.encoder(),
            print_receipt=not no_print,
            timeout=config.timeout_s,
        )
    finally:
        if server is not None:
            server.stop()
            if out is not None:
                decode_to_png(bytes(server.received), out)
    _report(result)


@selftest_app.command("card")
def selftest_card_command(
    virtual: Annotated[
        bool,
        typer.Option(help="Start pcscd if needed and insert Sijill's virtual test ID card."),
    ] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a card.")] = 30.0,
    document_number: Annotated[
        str | None, typer.Option(help="Test card's document number (to try BAC).")
    ] = None,
    birth_date: Annotated[str | None, typer.Option(help="Test card's birth date, YYMMDD.")] = None,
    expiry_date: Annotated[
        str | None, typer.Option(help="Test card's expiry date, YYMMDD.")
    ] = None,
) -> None:
    """Wait for a card in the configured reader (SIJILL_CARD_*), identify it, try BAC."""
    from drivers.card.applets import EmrtdApplet, td1_mrz
    from drivers.card.mrz import BacKey
    from drivers.card.pcscd import Pcscd
    from drivers.card.reader import CardReaderSettings, PcscCardReader
    from drivers.card.simulator import VirtualCard

    key = None
    if document_number and birth_date and expiry_date:
        key = BacKey(document_number, birth_date, expiry_date)
    daemon = card = None
    if virtual:
        daemon = Pcscd().ensure()
        key = BacKey(*_VIRTUAL_DOC)
        mrz = td1_mrz(*_VIRTUAL_DOC, "SPECIMEN", "TEST")
        card = VirtualCard(EmrtdApplet(mrz, key)).insert()
    try:
        reader = PcscCardReader.from_settings(CardReaderSettings())
        result = selftest_card(reader, wait_s=wait, key=key)
    finally:
        if card is not None:
            card.remove()
        if daemon is not None and daemon.owned:
            daemon.stop()
    _report(result)


@selftest_app.command("scanner")
def selftest_scanner_command(
    virtual: Annotated[
        bool, typer.Option(help="Use a socat pty pair and a simulated scanner.")
    ] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a scan.")] = 30.0,
) -> None:
    """Wait for one valid scan on the configured scanner (SIJILL_SCANNER_*)."""
    from drivers.scanner.ptypair import SocatPair
    from drivers.scanner.serial import ScannerSettings, SerialScanner
    from drivers.scanner.simulator import ScannerDevice

    settings = ScannerSettings()
    pair = None
    trigger = None
    with tempfile.TemporaryDirectory() as folder:
        if virtual:
            pair = SocatPair(Path(folder) / "host", Path(folder) / "scanner").start()
            settings = settings.model_copy(update={"device": str(pair.host_link)})

            def trigger() -> None:
                assert pair is not None
                if not scanner.wait_connected(5):
                    raise OSError("scanner port did not open")
                device = ScannerDevice(str(pair.device_link), settings.prefix, settings.suffix)
                device.scan(str(sample_content().request_code))
                device.close()

        scanner = SerialScanner(settings)
        try:
            result = selftest_scanner(scanner, wait_s=wait, trigger=trigger)
        finally:
            if pair is not None:
                pair.stop()
    _report(result)


@app.command("decode-receipt")
def decode_receipt_command(
    data: Annotated[Path, typer.Argument(help="ESC/POS bytes as sent to the printer.")],
    out: Annotated[Path, typer.Argument(help="PNG to write.")],
    width: Annotated[int | None, typer.Option(help="Paper width in dots.")] = None,
) -> None:
    """Render ESC/POS bytes back to a PNG of the paper (one receipt per cut)."""
    result = decode_to_png(data.read_bytes(), out, width)
    typer.echo(
        f"{len(result.receipts)} receipt(s), {result.width} dots wide, "
        f"{result.status_queries} status queries, {result.unknown_bytes} unknown bytes"
    )


@app.command("render-receipt")
def render_receipt_command(
    out: Annotated[Path, typer.Argument(help="PNG to write.")],
    width: Annotated[int, typer.Option(help="Dots: 384 (58 mm) or 576 (80 mm).")] = 576,
    duplicate: Annotated[bool, typer.Option(help="Mark it as a duplicate.")] = False,
    pending: Annotated[
        bool, typer.Option(help="Mark it as accepted offline (waiting to be sent).")
    ] = False,
    escpos: Annotated[
        Path | None, typer.Option(help="Also write the ESC/POS bytes to this file.")
    ] = None,
    profile: Annotated[str, typer.Option(help="python-escpos printer profile.")] = "TM-T20II",
) -> None:
    """Render the sample receipt (for checking fonts, layout and a printer's output)."""
    if width not in (384, 576):
        raise typer.BadParameter("width is 384 or 576")
    image = render_receipt(
        sample_content(duplicate=duplicate, pending=pending), 576 if width == 576 else 384
    )
    image.save(out)
    if escpos is not None:
        escpos.write_bytes(encode_raster(image, profile))
    typer.echo(f"{out}: {image.width}x{image.height}")


@app.command("simulate-printer")
def simulate_printer_command(
    port: Annotated[int, typer.Option(help="TCP port to listen on (loopback).")] = 9100,
    paper_cm: Annotated[float, typer.Option(help="Paper left on the roll, in cm.")] = 2000.0,
    out_dir: Annotated[
        Path | None, typer.Option(help="Save every printed receipt here as a PNG.")
    ] = None,
    seconds: Annotated[float, typer.Option(help="Stop after this long (0: until Ctrl-C).")] = 0,
) -> None:
    """Run a network receipt printer simulator (point SIJILL_PRINTER_* at it) for the demo."""
    import time

    from drivers.printer.decode import decode
    from drivers.printer.simulator import PaperModel, PrinterSimulatorServer

    server = PrinterSimulatorServer(PaperModel(paper_mm=paper_cm * 10), port=port).start()
    typer.echo(f"printer simulator on {server.host}:{server.port}, {paper_cm:g} cm of paper")
    saved = 0
    deadline = time.monotonic() + seconds if seconds else None
    try:
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
            if out_dir is None or server.model.cuts <= saved:
                continue
            out_dir.mkdir(parents=True, exist_ok=True)
            receipts = decode(bytes(server.model.printed)).receipts
            for i in range(saved, min(server.model.cuts, len(receipts))):
                receipts[i].save(out_dir / f"receipt-{i + 1:04d}.png")
                typer.echo(f"receipt {i + 1} printed")
            saved = server.model.cuts
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@app.command("simulate-card")
def simulate_card_command(
    kind: Annotated[str, typer.Option(help="emrtd, badge or blank.")] = "emrtd",
    port: Annotated[int, typer.Option(help="vpcd port (35963: 'Virtual PCD 00 00').")] = 35963,
    pin: Annotated[str, typer.Option(help="Badge PIN.")] = "1234",
    pull_after: Annotated[
        int | None, typer.Option(help="Fault: pull the card after this many APDUs.")
    ] = None,
    delay: Annotated[float, typer.Option(help="Fault: seconds before each answer.")] = 0.0,
    seconds: Annotated[float, typer.Option(help="Remove it after this long (0: Ctrl-C).")] = 0,
) -> None:
    """Insert a virtual card into vpcd's reader (starting pcscd if none runs) for the demo.

    The eMRTD is a specimen: document ZZ000001, born 900115, expires 300101.
    """
    import time

    from drivers.card.applets import Applet, BadgeApplet, BlankApplet, EmrtdApplet, td1_mrz
    from drivers.card.mrz import BacKey
    from drivers.card.pcscd import Pcscd
    from drivers.card.simulator import VirtualCard

    applets: dict[str, Applet] = {
        "emrtd": EmrtdApplet(td1_mrz(*_VIRTUAL_DOC, "SPECIMEN", "TEST"), BacKey(*_VIRTUAL_DOC)),
        "badge": BadgeApplet(bytes.fromhex("04A1B2C3D4E5F6"), pin),
        "blank": BlankApplet(),
    }
    if kind not in applets:
        raise typer.BadParameter("kind is emrtd, badge or blank")
    daemon = Pcscd().ensure()
    card = VirtualCard(applets[kind], port=port).insert()
    card.pull_after_apdus = pull_after
    card.delay_s = delay
    typer.echo(f"virtual {kind} card inserted on vpcd port {port}")
    deadline = time.monotonic() + seconds if seconds else None
    try:
        while (deadline is None or time.monotonic() < deadline) and card.inserted:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        card.remove()
        if daemon.owned:
            daemon.stop()
    typer.echo("virtual card removed")
