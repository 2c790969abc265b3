"""Production code never needs test tooling: every module imports with pytest absent
(a terminal or a server installs no dev extras)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

pytestmark = pytest.mark.integration

PACKAGES = (
    "sijill", "protocol", "drivers", "kiosk_terminal", "records_backend", "central_broker",
    "fleet_manager", "provisioning",
)  # fmt: skip

SCRIPT = f"""
import importlib, pkgutil, sys
for blocked in ("pytest", "hypothesis", "_pytest", "playwright"):
    sys.modules[blocked] = None  # any import of them now fails
failed = []
for top in {PACKAGES!r}:
    package = importlib.import_module(top)
    for info in pkgutil.walk_packages(package.__path__, top + "."):
        if (".migrations.versions." in info.name or info.name.endswith(".migrations.env")
                or info.name.endswith(".__main__")):
            continue  # run by Alembic or as a program, not imported
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            failed.append(f"{{info.name}}: {{exc!r}}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_without_test_tooling() -> None:
    env = {
        **os.environ,
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": tempfile.mkdtemp(prefix="kivy-"),
        "KIVY_LOG_MODE": "PYTHON",
        "SDL_AUDIODRIVER": "dummy",
    }
    env.pop("DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
