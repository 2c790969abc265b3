"""``sijill demo`` starts every component healthy, restarts a crashed child, and stops
cleanly on SIGINT leaving no process behind."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.integration

READY = "SIJILL DEMO READY"


def _state(data_dir: Path) -> dict[str, dict[str, object]]:
    state = json.loads((data_dir / "run" / "state.json").read_text())
    children: dict[str, dict[str, object]] = state["children"]
    return children


def _wait(predicate: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_demo_starts_restarts_and_stops_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "SIJILL_LOG_FORMAT": "json", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sijill",
            "demo",
            "--data-dir",
            str(tmp_path),
            "--terminals",
            "3",
            "--seed-acts",
            "50",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if READY in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert ready.wait(180), "demo never became ready:\n" + "".join(output)
        text = "".join(output)
        assert "mqtt://127.0.0.1:" in text
        assert "Demo accounts" in text
        assert "admin" in (tmp_path / "demo-accounts.txt").read_text()
        # Every page the demo announces answers.
        urls = sorted(set(re.findall(r"http://127\.0\.0\.1:\d+/[\w/]*", text)))
        assert len(urls) >= 3, text
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as resp:
                assert resp.status == 200, url
        assert (tmp_path / "kiosk" / "screens" / "attract.png").stat().st_size > 0
        children = _state(tmp_path)
        pids = {name: int(str(info["pid"])) for name, info in children.items()}
        long_running = {n: p for n, p in pids.items() if n != "records-seed"}
        assert "broker" in long_running
        for name, pid in long_running.items():
            assert psutil.pid_exists(pid), name

        # A crashed child comes back with a new process.
        os.kill(pids["broker"], signal.SIGKILL)
        _wait(
            lambda: (
                _state(tmp_path)["broker"]["pid"] != pids["broker"]
                and _state(tmp_path)["broker"]["alive"]
            ),
            60,
            "the broker to be restarted",
        )
        restarted = int(str(_state(tmp_path)["broker"]["pid"]))
        assert psutil.pid_exists(restarted)

        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0, "".join(output)
        every_pid = [*long_running.values(), restarted]
        _wait(lambda: not any(_alive(p) for p in every_pid), 15, "children to exit")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
