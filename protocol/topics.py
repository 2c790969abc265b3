"""MQTT topic names: one versioned root, a subtree per terminal, events per office.

Only MQTT 3.1.1 features are relied on (retained messages, Last Will, QoS 1), so every
broker serves these topics. A terminal may write only below its own id; the broker's ACL
and :func:`parse` both enforce the same shapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from protocol.version import PROTOCOL_VERSION

DEFAULT_ROOT = f"sijill/v{PROTOCOL_VERSION}"

TERMINAL_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
# Office codes use the request-code alphabet (no I, L, O, U, Z) so codes stay unambiguous.
OFFICE_CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Y]{2,6}$")
_ROOT_RE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")


class TerminalChannel(StrEnum):
    STATE = "state"  # retained; the Last Will says offline
    TELEMETRY = "telemetry"  # periodic health, QoS 0
    EVENT = "event"  # QoS 1
    CMD = "cmd"  # fleet → terminal, QoS 1
    CMD_ACK = "cmd/ack"  # terminal → fleet, QoS 1
    CONFIG = "config"  # fleet → terminal, retained


class OfficeChannel(StrEnum):
    REQUEST_READY = "request-ready"


class TopicError(ValueError):
    """A topic that is not one of Sijill's, with the reason."""


def validate_terminal_id(terminal_id: str) -> str:
    if not TERMINAL_ID_RE.fullmatch(terminal_id):
        raise TopicError(f"invalid terminal id {terminal_id!r}")
    return terminal_id


def validate_office_code(code: str) -> str:
    if not OFFICE_CODE_RE.fullmatch(code):
        raise TopicError(f"invalid office code {code!r}")
    return code


@dataclass(frozen=True, slots=True)
class TerminalTopic:
    terminal_id: str
    channel: TerminalChannel


@dataclass(frozen=True, slots=True)
class OfficeTopic:
    office: str
    channel: OfficeChannel


@dataclass(frozen=True, slots=True)
class Topics:
    """Builds and parses topics under one root (tests use a unique root per run)."""

    root: str = DEFAULT_ROOT

    def __post_init__(self) -> None:
        if not _ROOT_RE.fullmatch(self.root):
            raise TopicError(f"invalid topic root {self.root!r}")

    def terminal(self, terminal_id: str, channel: TerminalChannel) -> str:
        return f"{self.root}/terminal/{validate_terminal_id(terminal_id)}/{channel.value}"

    def office(self, office: str, channel: OfficeChannel) -> str:
        return f"{self.root}/office/{validate_office_code(office)}/{channel.value}"

    # Subscription filters -------------------------------------------------------------
    def all_terminals(self, channel: TerminalChannel) -> str:
        return f"{self.root}/terminal/+/{channel.value}"

    def terminal_subtree(self, terminal_id: str) -> str:
        return f"{self.root}/terminal/{validate_terminal_id(terminal_id)}/#"

    def all_offices(self, channel: OfficeChannel) -> str:
        return f"{self.root}/office/+/{channel.value}"

    def parse(self, topic: str) -> TerminalTopic | OfficeTopic:
        """Recognise a concrete topic, or raise :class:`TopicError` saying why not."""
        prefix = self.root + "/"
        if not topic.startswith(prefix):
            raise TopicError(f"topic {topic!r} is outside root {self.root!r}")
        parts = topic[len(prefix) :].split("/")
        if len(parts) < 3:
            raise TopicError(f"topic {topic!r} is too short")
        kind, ident, rest = parts[0], parts[1], "/".join(parts[2:])
        if kind == "terminal":
            try:
                return TerminalTopic(validate_terminal_id(ident), TerminalChannel(rest))
            except ValueError as exc:
                raise TopicError(f"topic {topic!r}: {exc}") from None
        if kind == "office":
            try:
                return OfficeTopic(validate_office_code(ident), OfficeChannel(rest))
            except ValueError as exc:
                raise TopicError(f"topic {topic!r}: {exc}") from None
        raise TopicError(f"topic {topic!r}: unknown kind {kind!r}")
