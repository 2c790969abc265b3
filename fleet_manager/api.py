"""The JSON API: terminals, history, alerts, commands, configuration, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from fleet_manager import actions, queries
from fleet_manager.auth import Staff
from fleet_manager.configs import Scope
from fleet_manager.deps import api_staff, service_of
from fleet_manager.models import Alert, AuditEntry, CommandRecord, ConfigVersion, Terminal
from protocol.health import Scalar

router = APIRouter(prefix="/api")
StaffDep = Annotated[Staff, Depends(api_staff)]
#: Every list answers a page: ``{"items", "total", "limit", "next_cursor"}``; pass
#: ``next_cursor`` back as ``cursor`` for the next one (null: the last page).
Limit = Annotated[
    int, Query(ge=1, le=queries.MAX_LIMIT, description="rows per page (at most 1000)")
]
Cursor = Annotated[
    str | None, Query(max_length=64, description="`next_cursor` of the previous page")
]
#: Longest telemetry history one request may ask for (the roll-ups' own lifetime).
MAX_HISTORY_HOURS = 24 * 90


class PageOut(BaseModel):
    items: list[dict[str, Any]]
    total: int = Field(description="rows matching, over every page")
    limit: int
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")


def _page(page: queries.Page[Any], limit: int, render: Any) -> dict[str, Any]:
    return {
        "items": [render(row) for row in page.items],
        "total": page.total,
        "limit": limit,
        "next_cursor": page.next_cursor,
    }


def _bad_cursor(exc: queries.CursorError) -> HTTPException:
    return HTTPException(422, str(exc))


class CommandIn(BaseModel):
    name: str
    args: dict[str, Scalar] = Field(default_factory=dict)
    timeout_s: float | None = None


class ConfigIn(BaseModel):
    scope: Scope
    scope_id: str = "*"
    overrides: dict[str, Any]
    note: str | None = Field(default=None, max_length=500)


class TerminalIn(BaseModel):
    id: str
    office: str
    group: str | None = None
    hardware: str | None = Field(default=None, max_length=200)


class GroupIn(BaseModel):
    group: str | None = Field(default=None, max_length=64)


def _fail(exc: Exception) -> HTTPException:
    if isinstance(exc, actions.ForbiddenError):
        return HTTPException(403, str(exc))
    if isinstance(exc, actions.NotFoundError):
        return HTTPException(404, str(exc))
    return HTTPException(422, str(exc))


_ERRORS = (actions.ForbiddenError, actions.NotFoundError, actions.InvalidError)


def terminal_json(t: Terminal) -> dict[str, Any]:
    return {
        "id": t.id,
        "office": t.office,
        "group": t.group,
        "hardware": t.hardware,
        "status": t.status,
        "reason": t.status_reason,
        "status_since": t.status_since,
        "presence": t.presence,
        "software_version": t.software_version,
        "config_version": t.config_version,
        "desired_config_version": t.desired_config_version,
        "last_seen": t.last_seen,
        "interval_s": t.interval_s,
        "telemetry": t.last_telemetry,
    }


def command_json(c: CommandRecord) -> dict[str, Any]:
    return {
        "id": c.id,
        "terminal_id": c.terminal_id,
        "name": c.name,
        "args": c.args,
        "status": c.status,
        "detail": c.detail,
        "result": c.result,
        "issued_by": c.issued_by,
        "issued_at": c.issued_at,
        "deadline": c.deadline,
        "updated_at": c.updated_at,
    }


def config_json(v: ConfigVersion) -> dict[str, Any]:
    return {
        "version": v.id,
        "scope": v.scope,
        "scope_id": v.scope_id,
        "overrides": v.overrides,
        "created_by": v.created_by,
        "created_at": v.created_at,
        "note": v.note,
        "rollback_of": v.rollback_of,
    }


@router.get("/terminals", response_model=PageOut)
def list_terminals(
    request: Request,
    staff: StaffDep,
    office: str | None = None,
    status: str | None = None,
    limit: Limit = queries.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Terminals by id, a page at a time, each with its last telemetry."""
    with service_of(request).sessions() as session:
        page = queries.terminals_page(session, staff, office, status, limit, cursor)
        return _page(page, limit, terminal_json)


@router.post("/terminals", status_code=201)
def register_terminal(request: Request, staff: StaffDep, body: TerminalIn) -> dict[str, str]:
    svc = service_of(request)
    try:
        actions.register_terminal(
            svc.sessions, svc.runtime, staff, body.id, body.office, body.group, body.hardware
        )
    except _ERRORS as exc:
        raise _fail(exc) from None
    return {"id": body.id}


@router.get("/terminals/{terminal_id}")
def get_terminal(request: Request, staff: StaffDep, terminal_id: str) -> dict[str, Any]:
    with service_of(request).sessions() as session:
        t = queries.terminal(session, staff, terminal_id)
        if t is None:
            raise HTTPException(404, "unknown terminal")
        return terminal_json(t)


@router.put("/terminals/{terminal_id}/group")
def put_group(request: Request, staff: StaffDep, terminal_id: str, body: GroupIn) -> dict[str, Any]:
    svc = service_of(request)
    try:
        actions.set_group(svc.sessions, svc.runtime, staff, terminal_id, body.group)
    except _ERRORS as exc:
        raise _fail(exc) from None
    return {"id": terminal_id, "group": body.group}


@router.get("/terminals/{terminal_id}/history")
def get_history(
    request: Request,
    staff: StaffDep,
    terminal_id: str,
    hours: Annotated[float, Query(gt=0, le=MAX_HISTORY_HOURS)] = 24,
) -> list[dict[str, Any]]:
    """Hourly roll-ups then raw samples: bounded by ``hours`` (at most 90 days)."""
    with service_of(request).sessions() as session:
        if queries.terminal(session, staff, terminal_id) is None:
            raise HTTPException(404, "unknown terminal")
        since = datetime.now(UTC) - timedelta(hours=hours)
        return queries.history(session, terminal_id, since)


@router.post("/terminals/{terminal_id}/commands", status_code=202)
def send_command(
    request: Request, staff: StaffDep, terminal_id: str, body: CommandIn
) -> dict[str, Any]:
    svc = service_of(request)
    try:
        record = actions.issue_command(
            svc.sessions, svc.runtime, staff, terminal_id, body.name, body.args, body.timeout_s
        )
    except _ERRORS as exc:
        raise _fail(exc) from None
    return command_json(record)


@router.get("/terminals/{terminal_id}/commands", response_model=PageOut)
def list_commands(
    request: Request,
    staff: StaffDep,
    terminal_id: str,
    limit: Limit = queries.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    with service_of(request).sessions() as session:
        if queries.terminal(session, staff, terminal_id) is None:
            raise HTTPException(404, "unknown terminal")
        try:
            page = queries.commands_page(session, terminal_id, limit, cursor)
        except queries.CursorError as exc:
            raise _bad_cursor(exc) from None
        return _page(page, limit, command_json)


@router.get("/commands/{command_id}")
def get_command(request: Request, staff: StaffDep, command_id: str) -> dict[str, Any]:
    with service_of(request).sessions() as session:
        c = session.get(CommandRecord, command_id)
        if c is None or queries.terminal(session, staff, c.terminal_id) is None:
            raise HTTPException(404, "unknown command")
        return command_json(c)


def alert_json(a: Alert) -> dict[str, Any]:
    return {
        "id": a.id,
        "terminal_id": a.terminal_id,
        "office": a.office,
        "rule": a.rule,
        "severity": a.severity,
        "state": a.state,
        "detail": a.detail,
        "opened_at": a.opened_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by,
        "escalated_at": a.escalated_at,
        "resolved_at": a.resolved_at,
    }


@router.get("/alerts", response_model=PageOut)
def list_alerts(
    request: Request,
    staff: StaffDep,
    state: str = "open,acknowledged",
    limit: Limit = queries.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Newest first."""
    with service_of(request).sessions() as session:
        try:
            page = queries.alerts_page(session, staff, tuple(state.split(",")), limit, cursor)
        except queries.CursorError as exc:
            raise _bad_cursor(exc) from None
        return _page(page, limit, alert_json)


@router.post("/alerts/{alert_id}/ack")
def ack_alert(request: Request, staff: StaffDep, alert_id: int) -> dict[str, Any]:
    try:
        alert = actions.acknowledge_alert(service_of(request).sessions, staff, alert_id)
    except _ERRORS as exc:
        raise _fail(exc) from None
    return {"id": alert.id, "state": alert.state}


@router.get("/config", response_model=PageOut)
def list_config(
    request: Request,
    staff: StaffDep,
    scope: Scope | None = None,
    scope_id: str | None = None,
    limit: Limit = queries.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Configuration versions, newest first."""
    with service_of(request).sessions() as session:
        try:
            page = queries.config_page(
                session, scope.value if scope else None, scope_id, limit, cursor
            )
        except queries.CursorError as exc:
            raise _bad_cursor(exc) from None
        return _page(page, limit, config_json)


@router.post("/config", status_code=201)
def post_config(request: Request, staff: StaffDep, body: ConfigIn) -> dict[str, Any]:
    svc = service_of(request)
    try:
        row = actions.add_config(
            svc.sessions, svc.runtime, staff, body.scope, body.scope_id, body.overrides, body.note
        )
    except _ERRORS as exc:
        raise _fail(exc) from None
    return config_json(row)


@router.post("/config/{version}/rollback", status_code=201)
def post_rollback(request: Request, staff: StaffDep, version: int) -> dict[str, Any]:
    svc = service_of(request)
    try:
        row = actions.rollback_config(svc.sessions, svc.runtime, staff, version)
    except _ERRORS as exc:
        raise _fail(exc) from None
    return config_json(row)


def audit_json(a: AuditEntry) -> dict[str, Any]:
    return {
        "ts": a.ts,
        "actor": a.actor,
        "action": a.action,
        "target": a.target,
        "detail": a.detail,
    }


@router.get("/audit", response_model=PageOut)
def list_audit(
    request: Request, staff: StaffDep, limit: Limit = queries.DEFAULT_LIMIT, cursor: Cursor = None
) -> dict[str, Any]:
    """Operator actions, newest first."""
    if not staff.operator:
        raise HTTPException(403, "only fleet operators read the audit trail")
    with service_of(request).sessions() as session:
        try:
            page = queries.audit_page(session, limit, cursor)
        except queries.CursorError as exc:
            raise _bad_cursor(exc) from None
        return _page(page, limit, audit_json)
