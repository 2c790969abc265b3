"""Finding, starting and stopping pcscd with vpcd: for the demo, self-tests and the tests.

pcscd's socket path is fixed at build time (/run/pcscd/pcscd.comm), so there is one pcscd per
machine: use the one that answers, otherwise start one and own it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from smartcard import scard

from drivers.errors import DeviceTimeout, DeviceUnavailable

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
VPCD_PORT = 35963


def pcscd_answers() -> bool:
    if not PCSCD_SOCKET.exists():
        return False
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    scard.SCardReleaseContext(context)
    return True


def port_listening(port: int) -> bool:
    """Whether a TCP port is listening, read from /proc: a probe connection would look like
    a card being inserted to vpcd."""
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(wanted) and fields[3] == "0A":
                return True
    return False


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise DeviceTimeout(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.05)


class Pcscd:
    """The pcscd in use; ``owned`` when started here (then ``stop`` may end it)."""

    def __init__(self, log_file: Path | None = None) -> None:
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def owned(self) -> bool:
        return self.process is not None

    def ensure(self, timeout: float = 30.0) -> Pcscd:
        """Use the running pcscd, or start one; then wait for vpcd's reader to listen."""
        if not pcscd_answers():
            self.start(timeout)
        wait_until(lambda: port_listening(VPCD_PORT), timeout, "vpcd reader")
        return self

    def start(self, timeout: float = 30.0) -> None:
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not Path(binary).exists():
            raise DeviceUnavailable("pcscd is not installed (Debian package pcscd)")
        out = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        # A fixed binary and fixed arguments: nothing here comes from outside.
        self.process = subprocess.Popen(  # noqa: S603
            [binary, "--foreground"], stdout=out, stderr=out
        )
        wait_until(pcscd_answers, timeout, "pcscd")
        wait_until(lambda: port_listening(VPCD_PORT), timeout, "vpcd reader")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None:
            raise DeviceUnavailable("this pcscd was not started here; refusing to stop it")
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)
        self.process = None
        wait_until(lambda: not PCSCD_SOCKET.exists() or not pcscd_answers(), timeout, "stop")
