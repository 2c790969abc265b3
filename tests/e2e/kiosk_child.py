"""A kiosk test's window part, run in a child process that writes a JSON report.

The child gets SDL's off-screen window with Mesa (no display), no sound and no speech, and
a window rather than full screen; the test then reads what the child wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_in_window(script: str, args: list[str], report: Path, timeout: float) -> dict[str, Any]:
    """Run ``script args`` as the child; its report, with the child's ``returncode`` added."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        PYTHONPATH=str(ROOT),
        SDL_AUDIODRIVER="dummy",
        KIVY_NO_ARGS="1",
        SIJILL_KIOSK_SPEECH="false",
        SIJILL_KIOSK_FULLSCREEN="false",
    )
    proc = subprocess.run(
        [sys.executable, script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert report.exists(), proc.stderr[-4000:]
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    result["returncode"] = proc.returncode
    return result
