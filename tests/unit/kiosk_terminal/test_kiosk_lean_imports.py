"""The kiosk process does not load optional extras it never uses (each held for its life)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk_terminal.lean import without

ROOT = Path(__file__).resolve().parents[3]

# What `sijill kiosk run` imports before its window: the entry point, the kiosk's logging, the
# composition root, the screens' text layout.
_SERVICE_IMPORTS = """
import json, sys
sys.argv = ["sijill", "kiosk", "run", "--simulated"]
import sijill.cli
from kiosk_terminal.cli import start_logging
from kiosk_terminal.settings import KioskSettings
start_logging(KioskSettings(speech=False))
import kiosk_terminal.runtime
import kiosk_terminal.ui.bidi_text
print(json.dumps(sorted(sys.modules)))
"""


def test_a_blocked_module_is_missing_inside_and_importable_after() -> None:
    name = "sijill_lean_probe_module"
    with without(name), pytest.raises(ImportError):
        __import__(name)
    assert name not in sys.modules  # free again: a later import is an ordinary one


def test_an_already_imported_module_is_left_alone() -> None:
    import json as before

    with without("json"):
        import json as inside
    assert inside is before
    assert sys.modules["json"] is before


def test_the_service_start_loads_no_cli_extras_nor_server_commands() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", _SERVICE_IMPORTS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert {"httpx", "arabic_reshaper", "structlog"} <= modules
    roots = {name.split(".")[0] for name in modules}
    # httpx's command line client, structlog's rich tracebacks, arabic-reshaper's font reader,
    # and the server components' commands.
    unwanted = {"rich", "pygments", "fontTools", "records_backend", "fleet_manager"}
    assert roots & unwanted == set()
    assert "httpx._main" not in modules
