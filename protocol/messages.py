"""Message models for every MQTT payload Sijill exchanges.

Each model carries ``v`` (the protocol version) and forbids unknown fields, so a message from
a newer or foreign sender is rejected with a reason by :mod:`protocol.codec` rather than half
understood. Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID, uuid4

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from protocol.health import DeviceHealth, DeviceKind, Scalar
from protocol.topics import OFFICE_CODE_RE, TERMINAL_ID_RE
from protocol.version import PROTOCOL_VERSION


def utcnow() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone")
    return value.astimezone(UTC)


Timestamp = Annotated[datetime, AfterValidator(_aware)]
TerminalId = Annotated[str, Field(pattern=TERMINAL_ID_RE.pattern)]
OfficeCode = Annotated[str, Field(pattern=OFFICE_CODE_RE.pattern)]
ShortText = Annotated[str, Field(max_length=200)]
Version = Annotated[str, Field(max_length=64, pattern=r"^[0-9A-Za-z.+_-]+$")]
Args = Annotated[dict[str, Scalar], Field(max_length=32)]


class Message(BaseModel):
    """Base of every payload: versioned, strict, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = PROTOCOL_VERSION


# --- presence -----------------------------------------------------------------------------


class Presence(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    MAINTENANCE = "maintenance"


class OfflineReason(StrEnum):
    CLEAN_SHUTDOWN = "clean_shutdown"  # published by the terminal itself before leaving
    LAST_WILL = "last_will"  # published by the broker on an unclean loss
    OFFICE_CLOSED = "office_closed"  # scheduled switch-off at closing time


class TerminalState(Message):
    """Retained on ``.../state``; the Last Will carries the offline variant."""

    terminal_id: TerminalId
    presence: Presence
    reason: OfflineReason | None = None
    ts: Timestamp = Field(default_factory=utcnow)
    boot_id: Annotated[str, Field(max_length=64)] | None = None
    software_version: Version | None = None
    config_version: Annotated[int, Field(ge=0)] | None = None
    office: OfficeCode | None = None


# --- telemetry ----------------------------------------------------------------------------


class Telemetry(Message):
    """Periodic health (default every 10 s); doubles as the application heartbeat."""

    terminal_id: TerminalId
    ts: Timestamp
    seq: Annotated[int, Field(ge=0)]
    interval_s: Annotated[float, Field(gt=0, le=3600)] = 10.0
    uptime_s: Annotated[float, Field(ge=0)]
    devices: Annotated[dict[DeviceKind, DeviceHealth], Field(max_length=8)] = Field(
        default_factory=dict
    )
    outbox_pending: Annotated[int, Field(ge=0)] = 0
    outbox_oldest_age_s: Annotated[float, Field(ge=0)] | None = None
    disk_free_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    cpu_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    mem_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    software_version: Version | None = None
    config_version: Annotated[int, Field(ge=0)] | None = None


# --- events -------------------------------------------------------------------------------


class EventKind(StrEnum):
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    CODE_SCANNED = "code_scanned"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    DEVICE_CHANGED = "device_changed"
    RECEIPT_PRINTED = "receipt_printed"
    REQUEST_SUBMITTED = "request_submitted"
    JOURNEY_ABANDONED = "journey_abandoned"
    ERROR = "error"


class Event(Message):
    """Something that happened on a terminal (QoS 1). Never carries identity data."""

    terminal_id: TerminalId
    event_id: UUID = Field(default_factory=uuid4)
    ts: Timestamp = Field(default_factory=utcnow)
    kind: EventKind
    device: DeviceKind | None = None
    data: Args = Field(default_factory=dict)


# --- commands -----------------------------------------------------------------------------


class CommandName(StrEnum):
    PING = "ping"
    RESTART_APP = "restart_app"
    REBOOT = "reboot"
    SELF_TEST = "self_test"
    PRINT_TEST = "print_test"
    SET_LOG_LEVEL = "set_log_level"
    REFRESH_CONFIG = "refresh_config"
    ENTER_MAINTENANCE = "enter_maintenance"
    LEAVE_MAINTENANCE = "leave_maintenance"
    SET_MESSAGE = "set_message"  # args: DayMessage (``ar``, ``fr``); both empty clears it


class Command(Message):
    """A remote command; the terminal refuses it after its deadline and acks either way."""

    command_id: UUID = Field(default_factory=uuid4)
    name: CommandName
    args: Args = Field(default_factory=dict)
    issued_at: Timestamp = Field(default_factory=utcnow)
    deadline: Timestamp
    issued_by: ShortText

    @model_validator(mode="after")
    def _deadline_after_issue(self) -> Command:
        if self.deadline <= self.issued_at:
            raise ValueError("deadline must be after issued_at")
        return self

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) > self.deadline


class AckStatus(StrEnum):
    ACCEPTED = "accepted"  # received and started
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"  # unknown, malformed or not allowed
    EXPIRED = "expired"  # arrived after its deadline


FINAL_ACK_STATUSES = frozenset(
    {AckStatus.SUCCEEDED, AckStatus.FAILED, AckStatus.REJECTED, AckStatus.EXPIRED}
)


class CommandAck(Message):
    command_id: UUID
    terminal_id: TerminalId
    status: AckStatus
    ts: Timestamp = Field(default_factory=utcnow)
    detail: ShortText | None = None
    result: Args = Field(default_factory=dict)


# --- message of the day ------------------------------------------------------------------

#: Longest message of the day per language: two short lines on the kiosk's screens.
DAY_MESSAGE_MAX = 160
DayText = Annotated[str, Field(max_length=DAY_MESSAGE_MAX)]


def _tidy(value: str | None) -> str | None:
    # Control characters would break the screen's layout; blank means "no message".
    if value is None:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("message must be one line without control characters")
    return value.strip() or None


OptionalDayText = Annotated[DayText | None, AfterValidator(_tidy)]


class DayMessage(BaseModel):
    """A bilingual message of the day: the ``SET_MESSAGE`` command's args."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    ar: OptionalDayText = None
    fr: OptionalDayText = None

    @property
    def empty(self) -> bool:
        return self.ar is None and self.fr is None


# --- configuration ------------------------------------------------------------------------


Language = Literal["ar", "fr", "en", "zgh"]


class TerminalSettings(BaseModel):
    """What the fleet can set remotely. Unknown keys are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    telemetry_interval_s: Annotated[float, Field(ge=1, le=3600)] = 10.0
    keepalive_s: Annotated[int, Field(ge=5, le=600)] = 15
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    idle_timeout_s: Annotated[int, Field(ge=10, le=600)] = 60
    languages: Annotated[tuple[Language, ...], Field(min_length=1)] = ("ar", "fr", "en")
    paper_low_alert: bool = True
    office_hours: Annotated[str, Field(max_length=64)] = "08:00-16:30"
    message_ar: OptionalDayText = None
    message_fr: OptionalDayText = None


class TerminalConfig(Message):
    """Retained on ``.../config``; the terminal reports the version it applied."""

    config_version: Annotated[int, Field(ge=1)]
    issued_at: Timestamp = Field(default_factory=utcnow)
    issued_by: ShortText
    settings: TerminalSettings = Field(default_factory=TerminalSettings)


# --- office events ------------------------------------------------------------------------


class RequestReady(Message):
    """A document is ready for pickup: only the code, never who asked or for what."""

    office: OfficeCode
    request_code: Annotated[str, Field(max_length=32)]
    ts: Timestamp = Field(default_factory=utcnow)
