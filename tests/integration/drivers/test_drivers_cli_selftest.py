"""``sijill drivers selftest …`` against the simulators on real wires."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drivers.card.pcscd import Pcscd
from drivers.cli import app

pytestmark = pytest.mark.integration
runner = CliRunner()


def test_printer_selftest_on_the_network_simulator(tmp_path: Path) -> None:
    out = tmp_path / "selftest.png"
    result = runner.invoke(app, ["selftest", "printer", "--simulate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["passed"] is True
    assert report["device"] == "printer"
    assert report["health"]["state"] == "ok"
    read = subprocess.run(
        ["zbarimg", "-q", "--raw", str(out)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert "MK07-2026-004213-4" in read.stdout


def test_card_selftest_with_the_virtual_card(pcscd: Pcscd) -> None:
    result = runner.invoke(app, ["selftest", "card", "--virtual", "--wait", "20"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["detail"] == {"card": "emrtd"}
    assert [s["ok"] for s in report["steps"]] == [True] * 6


def test_scanner_selftest_over_a_pty_pair() -> None:
    result = runner.invoke(app, ["selftest", "scanner", "--virtual", "--wait", "5"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["detail"] == {"scan_kind": "request_code"}


def test_scanner_selftest_fails_cleanly_without_a_scanner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIJILL_SCANNER_DEVICE", "/dev/does-not-exist")
    result = runner.invoke(app, ["selftest", "scanner", "--wait", "0.3"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["passed"] is False
    assert report["health"]["state"] == "absent"


def test_printer_simulator_command_saves_receipts(tmp_path: Path) -> None:
    import socket
    import threading

    from drivers.printer.encode import encode_receipt
    from drivers.printer.receipt import sample_content

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome: list[int] = []
    thread = threading.Thread(
        target=lambda: outcome.append(
            runner.invoke(
                app,
                [
                    "simulate-printer",
                    "--port",
                    str(port),
                    "--out-dir",
                    str(tmp_path),
                    "--seconds",
                    "1.5",
                ],
            ).exit_code
        )
    )
    thread.start()
    data = encode_receipt(sample_content(), 576, "TM-T20II")
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(data)
            break
        except OSError:
            threading.Event().wait(0.05)
    thread.join(10)
    assert outcome == [0]
    assert (tmp_path / "receipt-0001.png").exists()


def test_simulated_card_command_is_read_by_the_real_reader(pcscd: Pcscd) -> None:
    import threading

    from drivers.card.mrz import BacKey
    from drivers.card.reader import PcscCardReader

    reader = PcscCardReader("Virtual PCD 00 00", poll_s=0.05)
    reader.open()
    assert reader.monitor.wait_for(lambda s: s.reader is not None and not s.card_present, 20)
    outcome: list[int] = []
    thread = threading.Thread(
        target=lambda: outcome.append(
            runner.invoke(app, ["simulate-card", "--seconds", "2.5"]).exit_code
        )
    )
    thread.start()
    try:
        assert reader.wait_for_card(20)
        dg1 = reader.read_document(BacKey("ZZ000001", "900115", "300101"))
        assert dg1.surname == "SPECIMEN"
    finally:
        thread.join(20)
        reader.close()
    assert outcome == [0]
