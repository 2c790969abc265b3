"""ESC/POS encoding, parsing and decoding back to dots; status bytes; the paper model."""

from __future__ import annotations

from PIL import Image, ImageChops

from drivers.printer.commands import (
    Align,
    Cut,
    EscPosParser,
    Init,
    LineFeed,
    NativeBarcode,
    NativeQr,
    Raster,
    StatusQuery,
    Text,
    Unknown,
)
from drivers.printer.decode import decode
from drivers.printer.encode import FRAGMENT_ROWS, encode_raster, encode_receipt, profile_width
from drivers.printer.interface import PrinterEvent, PrinterStatus
from drivers.printer.receipt import render_receipt, sample_content
from drivers.printer.simulator import MM_PER_DOT, PaperModel, SimulatedPrinter
from protocol.health import HealthState


def test_receipt_bytes_are_init_raster_blocks_and_a_cut() -> None:
    img = render_receipt(sample_content(), 576)
    data = encode_raster(img, "TM-T20II")
    commands = EscPosParser().feed(data)
    assert isinstance(commands[0], Init)
    rasters = [c for c in commands if isinstance(c, Raster)]
    assert sum(r.height for r in rasters) == img.height
    assert all(r.width_bytes == 72 and r.height <= FRAGMENT_ROWS for r in rasters)
    assert isinstance(commands[-1], Cut)


def test_decoding_gives_back_the_exact_dots() -> None:
    img = render_receipt(sample_content(), 384)
    decoded = decode(encode_raster(img, "ZJ-5870", cut=False))
    assert len(decoded.receipts) == 1
    paper = decoded.receipts[0]
    top = paper.crop((0, 0, 384, img.height))
    assert ImageChops.difference(top.convert("L"), img.convert("L")).getbbox() is None
    assert paper.height > img.height  # the feed before tearing off


def test_two_jobs_decode_to_two_receipts_with_a_cut_line() -> None:
    data = encode_receipt(sample_content(), 576, "TM-T20II")
    decoded = decode(data + data)
    assert len(decoded.receipts) == 2
    assert decoded.unknown_bytes == 0
    assert decoded.combined().height > 2 * decoded.receipts[0].height


def test_parser_waits_for_the_rest_of_a_split_command() -> None:
    parser = EscPosParser()
    block = b"\x1dv0\x00\x01\x00\x02\x00\xff\x0f"
    assert parser.feed(block[:5]) == []
    assert parser.feed(block[5:9]) == []
    assert parser.feed(block[9:]) == [Raster(0, 1, 2, b"\xff\x0f")]
    assert parser.pending == 0


def test_parser_knows_the_other_common_commands() -> None:
    data = (
        b"\x1ba\x01Hello\n\x1bd\x03\x1bJ\x10\x10\x04\x04"
        b"\x1d(k\x05\x001P0AB\x1d(k\x03\x001Q0"
        b"\x1dkI\x04{BAB\x1dV\x42\x00\x07"
    )
    commands = EscPosParser().feed(data)
    assert commands == [
        Align(1),
        Text(b"Hello"),
        LineFeed(),
        LineFeed(lines=3),
        LineFeed(dots=16),
        StatusQuery(4),
        commands[6],  # the QR store command, a setting
        NativeQr(b"AB", raw=b"\x1d(k\x03\x001Q0"),
        NativeBarcode(73, b"{BAB", raw=b"\x1dkI\x04{BAB"),
        Cut(partial=True),
        Unknown(7),
    ]


def test_text_stream_decodes_to_ink() -> None:
    decoded = decode(b"\x1b@\x1ba\x01SIJILL TEST\n\n\x1dV\x00")
    paper = decoded.receipts[0].convert("L")
    assert paper.getextrema() == (0, 255)


def test_status_bytes_decode() -> None:
    ready = PrinterStatus.from_replies(0x12, 0x12, 0x12)
    assert ready.ready
    assert ready.health().state is HealthState.OK
    out = PrinterStatus.from_replies(0x1A, 0x32, 0x72)
    assert out.paper_out
    assert not out.online
    assert out.health().state is HealthState.ERROR
    assert out.health().reason == "paper out"
    low = PrinterStatus.from_replies(0x12, 0x12, 0x1E)
    assert low.health().state is HealthState.DEGRADED
    cover = PrinterStatus.from_replies(0x1A, 0x16, 0x12)
    assert cover.health().reason == "cover open"
    assert PrinterStatus.unknown().health().state is HealthState.UNKNOWN


def test_status_changes_become_events() -> None:
    ready = PrinterStatus.from_replies(0x12, 0x12, 0x12)
    low = PrinterStatus.from_replies(0x12, 0x12, 0x1E)
    out = PrinterStatus.from_replies(0x1A, 0x32, 0x72)
    cover = PrinterStatus.from_replies(0x1A, 0x16, 0x12)
    assert low.events_since(ready) == [PrinterEvent.PAPER_LOW]
    assert out.events_since(low) == [PrinterEvent.OFFLINE, PrinterEvent.PAPER_OUT]
    assert ready.events_since(out) == [PrinterEvent.ONLINE, PrinterEvent.PAPER_OK]
    assert cover.events_since(ready) == [PrinterEvent.OFFLINE, PrinterEvent.COVER_OPEN]
    assert PrinterStatus.unknown().events_since(ready) == []


def test_paper_runs_out_after_the_set_length_and_the_rest_is_lost() -> None:
    model = PaperModel(paper_mm=100.0, near_end_mm=30.0)
    img = Image.new("1", (576, 1000), 1)  # 125 mm of raster
    model.feed(encode_raster(img, "TM-T20II"))
    assert model.paper_out
    printed = decode(bytes(model.printed))
    rows = round(100.0 / MM_PER_DOT)
    assert abs(printed.receipts[0].height - rows) <= 1
    assert model.cuts == 0
    assert model.feed(b"\x10\x04\x04") == bytes([0x72])
    model.load_paper(20.0)
    assert model.feed(b"\x10\x04\x04") == bytes([0x12 | 0x0C])  # near end


def test_simulated_printer_reports_cover_plug_and_latency() -> None:
    printer = SimulatedPrinter(latency_s=0.0)
    printer.open()
    assert printer.health().state is HealthState.OK
    printer.model.cover_open = True
    assert printer.health().reason == "cover open"
    printer.model.cover_open = False
    printer.latency_s = 0.05
    assert not printer.status(timeout=0.01).known
    printer.latency_s = 0.0
    printer.plugged = False
    assert printer.health().state is HealthState.ABSENT


def test_profiles_give_dot_widths() -> None:
    assert profile_width("TM-T20II") == 576
    assert profile_width("ZJ-5870") == 384
    assert profile_width("default") is None


def test_fast_raster_is_byte_for_byte_python_escpos_image() -> None:
    for width, profile in ((576, "TM-T20II"), (384, "ZJ-5870")):
        img = render_receipt(sample_content(duplicate=True), width)  # type: ignore[arg-type]
        assert encode_raster(img, profile) == encode_raster(img, profile, via_escpos_image=True)
    odd = Image.new("1", (100, 300), 1)  # width not a multiple of 8, several blocks
    odd.paste(0, (3, 5, 97, 290))
    assert encode_raster(odd, "default") == encode_raster(odd, "default", via_escpos_image=True)


def test_native_codes_where_the_profile_has_them() -> None:
    content = sample_content()
    native = encode_receipt(content, 576, "TM-T20II", native_codes=True)
    raster = encode_receipt(content, 576, "TM-T20II")
    commands = EscPosParser().feed(native)
    qr = [c for c in commands if isinstance(c, NativeQr)]
    bars = [c for c in commands if isinstance(c, NativeBarcode)]
    assert [q.data.decode() for q in qr] == [content.qr_payload]
    assert [b.data.decode() for b in bars] == ["{B" + content.request_code]
    assert len(native) < len(raster)
    decoded = decode(native)
    assert decoded.unknown_bytes == 0
    assert len(decoded.native_codes) == 2
    # A 58 mm model without native QR falls back to raster.
    fallback = EscPosParser().feed(encode_receipt(content, 384, "ZJ-5870", native_codes=True))
    assert not [c for c in fallback if isinstance(c, NativeQr | NativeBarcode)]
