"""The kiosk as an appliance: the command line, systemd notifications, a clean SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kiosk_terminal.cli import app

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def test_run_help_lists_the_demo_options() -> None:
    result = CliRunner().invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    for option in ("--simulated", "--data-dir", "--backend-url", "--headless-screenshots",
                   "--card"):  # fmt: skip
        assert option in result.output


def test_headless_kiosk_notifies_systemd_writes_screens_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    notify_path = tmp_path / "notify.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(str(notify_path))
    server.settimeout(0.5)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        PYTHONPATH=str(ROOT),
        NOTIFY_SOCKET=str(notify_path),
        WATCHDOG_USEC="1000000",
        SDL_AUDIODRIVER="dummy",
        SIJILL_KIOSK_WINDOW_WIDTH="800",
        SIJILL_KIOSK_WINDOW_HEIGHT="600",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "sijill", "kiosk", "run", "--simulated", "--data-dir",
         str(tmp_path / "data")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    messages: list[bytes] = []
    screen = tmp_path / "data" / "kiosk" / "screens" / "attract.png"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            b"READY=1" in messages and b"WATCHDOG=1" in messages and screen.exists()
        ):
            try:
                messages.append(server.recv(64))
            except TimeoutError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert b"READY=1" in messages
        assert b"WATCHDOG=1" in messages
        assert screen.exists()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=15)
        while True:
            try:
                messages.append(server.recv(64))
            except TimeoutError:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        server.close()
    assert code == 0
    assert b"STOPPING=1" in messages
    outbox = tmp_path / "data" / "kiosk" / "outbox.db"
    assert outbox.exists()
