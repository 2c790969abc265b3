"""How a terminal agent reaches the broker and what it says about itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sijill
from protocol.topics import DEFAULT_ROOT, validate_office_code, validate_terminal_id


@dataclass(frozen=True, slots=True)
class TlsClientOptions:
    """The terminal's own identity (mutual TLS); its certificate CN is its terminal id."""

    cafile: Path
    certfile: Path
    keyfile: Path


@dataclass(frozen=True, slots=True)
class AgentOptions:
    terminal_id: str
    office: str | None = None
    host: str = "127.0.0.1"
    port: int = 1883
    topic_root: str = DEFAULT_ROOT
    username: str | None = None
    password: str | None = None
    tls: TlsClientOptions | None = None
    keepalive_s: int = 15
    telemetry_interval_s: float = 10.0
    software_version: str = sijill.__version__
    #: Where the last applied configuration is kept, so a reboot starts with it.
    config_path: Path | None = None
    #: Source address for the connection (simulators spread over 127.0.0.x for ports).
    bind_address: str = ""
    #: Apply a configured log level to the process's root logger (a kiosk does; a
    #: simulator hosting thousands of agents in one process does not).
    apply_log_level: bool = False
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 30.0
    extra_client_id: str = field(default="")

    def __post_init__(self) -> None:
        validate_terminal_id(self.terminal_id)
        if self.office is not None:
            validate_office_code(self.office)
        if not 1.0 <= self.telemetry_interval_s <= 3600:
            raise ValueError("telemetry interval must be between 1 s and 1 h")
        if self.keepalive_s < 1:
            raise ValueError("keep-alive must be at least 1 s")

    @property
    def client_id(self) -> str:
        return f"terminal-{self.terminal_id}{self.extra_client_id}"
