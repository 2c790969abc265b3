"""Tables: terminals, telemetry history, events, usage, alerts, commands, configuration, audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fleet_manager.db import Base, UTCDateTime


class Terminal(Base):
    __tablename__ = "terminals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office: Mapped[str | None] = mapped_column(String(8), index=True)
    group: Mapped[str | None] = mapped_column(String(64))
    hardware: Mapped[str | None] = mapped_column(String(200))
    software_version: Mapped[str | None] = mapped_column(String(64))
    config_version: Mapped[int | None] = mapped_column(Integer)  # what it applied
    desired_config_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="unknown", index=True)
    status_reason: Mapped[str | None] = mapped_column(String(300))
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    presence: Mapped[str | None] = mapped_column(String(16))
    boot_id: Mapped[str | None] = mapped_column(String(64))
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interval_s: Mapped[float | None] = mapped_column(Float)
    last_telemetry: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class TelemetrySample(Base):
    __tablename__ = "telemetry_samples"
    __table_args__ = (Index("ix_samples_terminal_ts", "terminal_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    cpu_pct: Mapped[float | None] = mapped_column(Float)
    mem_pct: Mapped[float | None] = mapped_column(Float)
    disk_free_pct: Mapped[float | None] = mapped_column(Float)
    outbox_pending: Mapped[int | None] = mapped_column(Integer)
    printer: Mapped[str | None] = mapped_column(String(16))
    card_reader: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(16))


class TelemetryRollup(Base):
    """One hour of a terminal's samples, kept long after the raw samples are gone."""

    __tablename__ = "telemetry_rollups"

    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    samples: Mapped[int] = mapped_column(Integer)
    cpu_avg: Mapped[float | None] = mapped_column(Float)
    mem_avg: Mapped[float | None] = mapped_column(Float)
    disk_free_min: Mapped[float | None] = mapped_column(Float)
    outbox_max: Mapped[int | None] = mapped_column(Integer)
    not_ok: Mapped[int] = mapped_column(Integer, default=0)  # samples with a device not ok


class TerminalEvent(Base):
    __tablename__ = "terminal_events"
    __table_args__ = (Index("ix_events_terminal_ts", "terminal_id", "ts"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    ts: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    device: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class UsageDay(Base):
    """A terminal's kiosk use on one local day, counted as its events are stored.

    Kept apart from the events (which are dropped after a month) so a year of usage stays
    cheap to sum; the office is the terminal's office when the events arrived.
    """

    __tablename__ = "usage_days"
    __table_args__ = (Index("ix_usage_office_day", "office", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office: Mapped[str | None] = mapped_column(String(8))
    requests: Mapped[int] = mapped_column(Integer, default=0)
    receipts: Mapped[int] = mapped_column(Integer, default=0)
    faults: Mapped[int] = mapped_column(Integer, default=0)


class StatusChange(Base):
    """Each change of a terminal's derived status: availability is read from these."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_terminal_ts", "terminal_id", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    office: Mapped[str | None] = mapped_column(String(8))
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # pruning
    status: Mapped[str] = mapped_column(String(16))


class AvailabilityDay(Base):
    """A terminal's office-hours seconds and alive seconds on one past local day.

    Folded from the status changes once the day is over, so a year of availability is a
    sum, not a replay of every change.
    """

    __tablename__ = "availability_days"
    __table_args__ = (Index("ix_availability_office_day", "office", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office: Mapped[str | None] = mapped_column(String(8))
    open_s: Mapped[float] = mapped_column(Float)
    online_s: Mapped[float] = mapped_column(Float)


class RolledDay(Base):
    """Local days whose availability is folded into ``availability_days``."""

    __tablename__ = "availability_rolled"

    day: Mapped[date] = mapped_column(Date, primary_key=True)


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_state", "state", "terminal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    office: Mapped[str | None] = mapped_column(String(8))
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # open, acknowledged, resolved
    detail: Mapped[str | None] = mapped_column(String(300))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CommandRecord(Base):
    __tablename__ = "commands"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_by: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), index=True)
    detail: Mapped[str | None] = mapped_column(String(300))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConfigVersion(Base):
    """Settings overrides for one scope; the id is the version number (monotonic)."""

    __tablename__ = "config_versions"
    __table_args__ = (Index("ix_config_scope", "scope", "scope_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))  # fleet, office, group, terminal
    scope_id: Mapped[str] = mapped_column(String(64))
    overrides: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    rollback_of: Mapped[int | None] = mapped_column(Integer)


class AuditEntry(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
