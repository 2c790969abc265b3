"""A pair of linked pseudo-terminals made by socat: a serial cable in software.

The scanner driver opens one end like a /dev/ttyACM device; a simulated scanner writes into
the other. Stopping socat is an unplug: both ends vanish.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

from drivers.errors import DeviceTimeout, DeviceUnavailable


class SocatPair:
    def __init__(self, host_link: Path, device_link: Path) -> None:
        self.host_link = host_link  # what the driver opens
        self.device_link = device_link  # what the simulated scanner writes to
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> SocatPair:
        binary = shutil.which("socat")
        if binary is None:
            raise DeviceUnavailable("socat is not installed (Debian package socat)")
        for link in (self.host_link, self.device_link):
            link.unlink(missing_ok=True)
        # A fixed binary and our own link paths: nothing here comes from outside.
        self.process = subprocess.Popen(  # noqa: S603
            [
                binary,
                f"pty,raw,echo=0,link={self.host_link}",
                f"pty,raw,echo=0,link={self.device_link}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not (self.host_link.exists() and self.device_link.exists()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise DeviceTimeout("socat did not create its ptys")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None
        for link in (self.host_link, self.device_link):
            with contextlib.suppress(OSError):
                link.unlink(missing_ok=True)
