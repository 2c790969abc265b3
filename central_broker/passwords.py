"""Mosquitto password files, written with Mosquitto's own ``mosquitto_passwd``."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path


class PasswordFileError(RuntimeError):
    pass


def mosquitto_passwd() -> str:
    found = shutil.which("mosquitto_passwd")
    if not found:
        raise PasswordFileError("mosquitto_passwd is not installed (apt-get install mosquitto)")
    return found


def write_password_file(path: Path, users: Mapping[str, str]) -> Path:
    """Create ``path`` holding salted hashes for ``users`` (name → password)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    path.chmod(0o600)
    for name, password in users.items():
        if ":" in name or not name:
            raise PasswordFileError(f"invalid user name {name!r}")
        result = subprocess.run(  # noqa: S603 - fixed binary, arguments as a list
            [mosquitto_passwd(), "-b", str(path), name, password],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise PasswordFileError(f"mosquitto_passwd failed for {name}: {result.stderr.strip()}")
    return path
