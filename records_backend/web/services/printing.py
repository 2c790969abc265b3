"""Sending a document to the office printer through a configured command (CUPS ``lp``)."""

from __future__ import annotations

import logging
import subprocess

log = logging.getLogger(__name__)
PRINT_TIMEOUT_S = 30


def send_to_printer(command: list[str], pdf: bytes) -> bool:
    """True when the command took the PDF; the document stays downloadable either way."""
    try:
        done = subprocess.run(  # noqa: S603  (an administrator's configured command, no shell)
            command, input=pdf, capture_output=True, timeout=PRINT_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("office printer unreachable", extra={"error": str(exc)})
        return False
    if done.returncode != 0:
        log.warning(
            "office printer refused the document",
            extra={"code": done.returncode, "stderr": done.stderr.decode(errors="replace")[:200]},
        )
        return False
    return True
