"""Starts and stops a Mosquitto of Sijill's own (demo and tests)."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from central_broker.config import BrokerConfig, loopback_config
from sijill.ports import free_port

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    pass


def mosquitto_binary() -> str:
    for candidate in (shutil.which("mosquitto"), "/usr/sbin/mosquitto"):
        if candidate and Path(candidate).exists():
            return candidate
    raise BrokerError("mosquitto is not installed (apt-get install mosquitto)")


def wait_for_port(host: str, port: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class RunningBroker:
    host: str
    port: int
    config_path: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def stop(self, timeout_s: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout_s)

    def __enter__(self) -> RunningBroker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_as_invoker(config: BrokerConfig) -> BrokerConfig:
    """A broker of our own runs as whoever starts it: dropped to "mosquitto" (what it does
    when started as root), it could not read a password file or write persistence in our
    private directories."""
    if config.user is None and os.geteuid() == 0:
        return dataclasses.replace(config, user="root")
    return config


def start_broker(config: BrokerConfig, workdir: Path, timeout_s: float = 10.0) -> RunningBroker:
    """Write the configuration, start Mosquitto in the foreground and wait for its port."""
    workdir.mkdir(parents=True, exist_ok=True)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    config = run_as_invoker(config)
    config_path = workdir / "mosquitto.conf"
    config_path.write_text(config.render())
    listener = config.listeners[0]
    log_path = workdir / "mosquitto.log"
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - fixed binary, generated config
            [mosquitto_binary(), "-c", str(config_path)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if not wait_for_port(listener.address, listener.port, timeout_s):
        process.kill()
        process.wait()
        tail = log_path.read_text(errors="replace")[-800:]
        raise BrokerError(f"mosquitto did not open port {listener.port}: {tail}")
    log.info("mosquitto started", extra={"port": listener.port, "pid": process.pid})
    return RunningBroker(listener.address, listener.port, config_path, process)


def start_loopback_broker(data_dir: Path, port: int | None = None) -> RunningBroker:
    chosen = port or free_port()
    return start_broker(loopback_config(chosen, data_dir / "mosquitto"), data_dir / "mosquitto")
