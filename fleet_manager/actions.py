"""Operator actions: each checks scope, does its work and leaves an audit entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from fleet_manager.auth import Staff
from fleet_manager.command_args import ArgsError, check_args
from fleet_manager.configs import FLEET_ID, ConfigError, Scope, ScopedVersion, check_overrides
from fleet_manager.models import Alert, AuditEntry, CommandRecord, ConfigVersion, Terminal
from fleet_manager.runtime import FleetRuntime
from protocol.codec import encode
from protocol.health import Scalar
from protocol.messages import Command, CommandName
from protocol.topics import TerminalChannel, TopicError, validate_office_code, validate_terminal_id


class ForbiddenError(Exception):
    pass


class NotFoundError(Exception):
    pass


class InvalidError(ValueError):
    pass


def _now() -> datetime:
    return datetime.now(UTC)


def audit(session: Session, staff: Staff, action: str, target: str, **detail: Any) -> None:
    session.add(
        AuditEntry(ts=_now(), actor=staff.label, action=action, target=target, detail=detail)
    )


def _office_of(session: Session, runtime: FleetRuntime, terminal_id: str) -> str | None:
    live = runtime.live.get(terminal_id)
    if live is not None:
        return live.office
    row = session.get(Terminal, terminal_id)
    if row is None:
        raise NotFoundError(f"terminal {terminal_id} is unknown")
    return row.office


def _scope_check(session: Session, runtime: FleetRuntime, staff: Staff, tid: str) -> str | None:
    office = _office_of(session, runtime, tid)
    if tid not in runtime.live and session.get(Terminal, tid) is None:
        raise NotFoundError(f"terminal {tid} is unknown")
    if not staff.sees(office):
        raise ForbiddenError(f"terminal {tid} is outside your offices")
    return office


def issue_command(
    sessions: sessionmaker[Session],
    runtime: FleetRuntime,
    staff: Staff,
    terminal_id: str,
    name: str,
    args: dict[str, Scalar],
    timeout_s: float | None = None,
) -> CommandRecord:
    try:
        command_name = CommandName(name)
    except ValueError:
        raise InvalidError(f"unknown command {name!r}") from None
    if not staff.may_command(command_name.value):
        raise ForbiddenError(f"your role may not send {name}")
    try:
        args = check_args(command_name, args)
    except ArgsError as exc:
        raise InvalidError(str(exc)) from None
    timeout = timeout_s or runtime.settings.command_timeout_s
    if not 1 <= timeout <= 86_400:
        raise InvalidError("timeout must be between 1 s and 1 day")
    now = _now()
    command = Command(
        name=command_name,
        args=args,
        issued_at=now,
        deadline=now + timedelta(seconds=timeout),
        issued_by=staff.label[:200],
    )
    with sessions.begin() as session:
        _scope_check(session, runtime, staff, terminal_id)
        record = CommandRecord(
            id=str(command.command_id),
            terminal_id=terminal_id,
            name=command_name.value,
            args=dict(args),
            issued_by=staff.label,
            issued_at=now,
            deadline=command.deadline,
            status="sent",
            result={},
            updated_at=now,
        )
        session.add(record)
        audit(session, staff, "command", terminal_id, name=name, args=dict(args), id=record.id)
    topic = runtime.topics.terminal(terminal_id, TerminalChannel.CMD)
    if not runtime.publish(topic, encode(command), qos=1):
        with sessions.begin() as session:
            row = session.get(CommandRecord, record.id)
            if row is not None:
                row.status = "failed"
                row.detail = "broker unreachable: not sent"
        record.status = "failed"
    return record


def acknowledge_alert(sessions: sessionmaker[Session], staff: Staff, alert_id: int) -> Alert:
    with sessions.begin() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFoundError(f"alert {alert_id} is unknown")
        if not staff.sees(alert.office):
            raise ForbiddenError("this alert is outside your offices")
        if alert.state == "open":
            alert.state = "acknowledged"
            alert.acknowledged_at = _now()
            alert.acknowledged_by = staff.label
            audit(session, staff, "alert.acknowledge", f"alert:{alert_id}", rule=alert.rule)
        return alert


def _check_scope(scope: Scope, scope_id: str, staff: Staff) -> None:
    if not staff.operator:
        raise ForbiddenError("only fleet operators change configuration")
    try:
        if scope is Scope.TERMINAL:
            validate_terminal_id(scope_id)
        elif scope is Scope.OFFICE:
            validate_office_code(scope_id)
            if not staff.sees(scope_id):
                raise ForbiddenError("this office is outside your scope")
        elif scope is Scope.GROUP and not (0 < len(scope_id) <= 64):
            raise InvalidError("group names are 1 to 64 characters")
    except TopicError as exc:
        raise InvalidError(str(exc)) from None
    if scope in (Scope.FLEET, Scope.GROUP) and not staff.all_offices:
        raise ForbiddenError("fleet-wide and group settings need an all-offices operator")


def add_config(
    sessions: sessionmaker[Session],
    runtime: FleetRuntime,
    staff: Staff,
    scope: Scope,
    scope_id: str,
    overrides: dict[str, Any],
    note: str | None = None,
    rollback_of: int | None = None,
) -> ConfigVersion:
    scope_id = FLEET_ID if scope is Scope.FLEET else scope_id
    _check_scope(scope, scope_id, staff)
    try:
        check_overrides(overrides)
    except ConfigError as exc:
        raise InvalidError(str(exc)) from None
    with sessions.begin() as session:
        if scope is Scope.TERMINAL:
            _scope_check(session, runtime, staff, scope_id)
        row = ConfigVersion(
            scope=scope.value,
            scope_id=scope_id,
            overrides=overrides,
            created_by=staff.label,
            created_at=_now(),
            note=note,
            rollback_of=rollback_of,
        )
        session.add(row)
        session.flush()
        audit(
            session,
            staff,
            "config.rollback" if rollback_of else "config.set",
            f"{scope.value}:{scope_id}",
            version=row.id,
            overrides=overrides,
            rollback_of=rollback_of,
        )
    version = ScopedVersion(row.id, scope, scope_id, overrides, staff.label)
    runtime.call(lambda: runtime.config_added(version))
    return row


def rollback_config(
    sessions: sessionmaker[Session], runtime: FleetRuntime, staff: Staff, to_version: int
) -> ConfigVersion:
    """Make an earlier version current again, as a new version (history never rewritten)."""
    with sessions() as session:
        old = session.get(ConfigVersion, to_version)
        if old is None:
            raise NotFoundError(f"configuration version {to_version} is unknown")
        scope, scope_id, overrides = Scope(old.scope), old.scope_id, dict(old.overrides)
    return add_config(
        sessions,
        runtime,
        staff,
        scope,
        scope_id,
        overrides,
        note=f"rollback to version {to_version}",
        rollback_of=to_version,
    )


def register_terminal(
    sessions: sessionmaker[Session],
    runtime: FleetRuntime,
    staff: Staff,
    terminal_id: str,
    office: str,
    group: str | None = None,
    hardware: str | None = None,
) -> None:
    try:
        validate_terminal_id(terminal_id)
        validate_office_code(office)
    except TopicError as exc:
        raise InvalidError(str(exc)) from None
    if not staff.operator or not staff.sees(office):
        raise ForbiddenError("you may not register terminals in this office")

    def apply() -> None:
        live = runtime.terminal(terminal_id)
        live.office = office
        live.dirty = True
        runtime.set_group(terminal_id, group)
        runtime.flush(runtime.clock())

    runtime.call(apply)
    with sessions.begin() as session:
        row = session.get(Terminal, terminal_id)
        if row is not None:
            row.hardware = hardware or row.hardware
        audit(session, staff, "terminal.register", terminal_id, office=office, group=group)


def set_group(
    sessions: sessionmaker[Session],
    runtime: FleetRuntime,
    staff: Staff,
    terminal_id: str,
    group: str | None,
) -> None:
    if not staff.operator:
        raise ForbiddenError("only fleet operators assign groups")
    with sessions.begin() as session:
        _scope_check(session, runtime, staff, terminal_id)
        audit(session, staff, "terminal.group", terminal_id, group=group)
    runtime.call(lambda: runtime.set_group(terminal_id, group))
