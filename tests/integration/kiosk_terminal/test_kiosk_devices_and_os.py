"""Real I/O: device coordinator on the printer simulator, speech, systemd, guide files."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from drivers.printer.simulator import PaperModel, SimulatedPrinter
from kiosk_terminal.core.model import DocumentKind, Lang, OfficeInfo, ReceiptData
from kiosk_terminal.core.procedures import ProceduresCatalog
from kiosk_terminal.services.devices import KioskDevices, make_print_jobs
from kiosk_terminal.services.ports import PrintFailed
from kiosk_terminal.services.speech import Speaker
from kiosk_terminal.services.systemd import notify, watchdog_interval_s
from protocol.codes import RequestCode

pytestmark = pytest.mark.integration

OFFICE = OfficeInfo(
    "MK07", "مكتب الحالة المدنية حمرية", "Bureau Hamria", "الشباك رقم 3", "Guichet 3"
)
RECEIPT = ReceiptData(
    code=RequestCode("MK07", 2026, 990001),
    qr_payload="SJ1|MK07-2026-990001-4|7Q2FK8MA",
    document=DocumentKind.EXTRACT,
    copies=1,
    fee=Decimal(2),
    pickup_date=date(2026, 11, 26),
    issued_at=datetime(2026, 11, 25, 10, 4, tzinfo=UTC),
)


def _devices(tmp_path: Path, paper_mm: float) -> tuple[KioskDevices, PaperModel]:
    model = PaperModel(paper_mm=paper_mm)
    printer = SimulatedPrinter(model)
    printer.open()
    jobs = make_print_jobs(printer, tmp_path / "jobs.json")
    return KioskDevices(printer, jobs, OFFICE), model


def test_receipt_prints_once_per_job_id(tmp_path: Path) -> None:
    devices, model = _devices(tmp_path, 20_000)
    assert devices.printer_ready()
    devices.print_receipt("k1", RECEIPT)
    devices.print_receipt("k1", RECEIPT)  # a retry of the same job: not printed again
    assert model.cuts == 1
    assert len(model.printed) > 10_000


def test_paper_out_mid_receipt_is_reprinted_once_when_paper_is_back(tmp_path: Path) -> None:
    devices, model = _devices(tmp_path, 30)  # 3 cm of paper: the receipt needs more
    with pytest.raises(PrintFailed) as failed:
        devices.print_receipt("k1", RECEIPT)
    assert failed.value.kept
    seen: list[bool] = []
    assert not devices.watch(seen.append)
    assert seen == [False]
    printed_before = model.cuts
    model.load_paper(20_000)
    assert devices.watch(seen.append)
    assert seen == [False, True]
    assert model.cuts == printed_before + 1  # the stopped receipt came out, whole
    assert devices.resume() == []  # and only once
    devices.watch(seen.append)
    assert seen == [False, True]


def test_no_paper_means_not_ready(tmp_path: Path) -> None:
    devices, _ = _devices(tmp_path, 0)
    assert not devices.printer_ready()
    devices.printer.close()
    assert not devices.printer_ready()


def test_speech_prefers_the_communes_recording(tmp_path: Path) -> None:
    (tmp_path / "ar").mkdir()
    clip = tmp_path / "ar" / "home.wav"
    clip.write_bytes(b"RIFF")
    played: list[Path] = []
    speaker = Speaker(True, tmp_path, play_clip=played.append, espeak="/bin/true")
    speaker.say("home", "المسوا أحد الأزرار", Lang.AR)
    assert played == [clip]
    speaker.say("guide", "Choisissez une démarche", Lang.FR)
    assert speaker.last == ("espeak", "fr")
    assert speaker.command("نص", Lang.AR) == ["/bin/true", "-v", "ar", "-s", "150", "--", "نص"]
    assert speaker.command("x", Lang.ZGH) is None
    speaker.stop()
    silent = Speaker(False, tmp_path, play_clip=played.append)
    silent.say("home", "x", Lang.AR)
    assert len(played) == 1


def test_systemd_notify_sends_a_datagram(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(path))
    try:
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert notify("WATCHDOG=1")
        assert server.recv(64) == b"WATCHDOG=1"
    finally:
        server.close()
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert not notify("READY=1")
    monkeypatch.setenv("WATCHDOG_USEC", "20000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert watchdog_interval_s() == 10.0
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert watchdog_interval_s() is None


def test_malformed_procedure_file_is_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "ok.toml").write_text(
        'order = 1\ntitle = "T"\nsummary = "S"\nbring = ["x"]\nwhere = "W"\n'
        'fees = "F"\ndelay = "D"\n',
        encoding="utf-8",
    )
    (tmp_path / "fr" / "broken.toml").write_text('order = "one"\ntitle = ', encoding="utf-8")
    (tmp_path / "fr" / "empty.toml").write_text(
        'order = 2\ntitle = "T"\nsummary = "S"\nbring = []\nwhere = "W"\nfees = "F"\ndelay = "D"\n',
        encoding="utf-8",
    )
    catalog = ProceduresCatalog(tmp_path)
    assert catalog.ids() == ["ok"]
    assert len(catalog.errors) == 2
    assert any("bring" in e for e in catalog.errors)


def test_readiness_answer_is_reused_briefly_and_the_watch_refreshes_it(tmp_path: Path) -> None:
    devices, model = _devices(tmp_path, 20_000)
    devices.ready_cache_s = 60.0
    assert devices.printer_ready()
    model.load_paper(0)
    assert devices.printer_ready()  # within the cache: the screens do not query again
    seen: list[bool] = []
    assert not devices.watch(seen.append)  # the background watch asks the printer itself
    assert seen == [False]
    assert not devices.printer_ready()
