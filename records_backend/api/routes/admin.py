"""Accounts and terminals (central administrators, technicians), and offices for everyone."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from protocol.topics import OFFICE_CODE_RE, TERMINAL_ID_RE
from records_backend.api.deps import Caller, Db, State
from records_backend.api.problems import PROBLEM_RESPONSES
from records_backend.db.models import Office, OfficeNotice
from records_backend.domain.roles import Permission, Role
from records_backend.services import accounts, notices
from records_backend.services.offices import office_code

router = APIRouter(prefix="/api/v1", tags=["administration"], responses=PROBLEM_RESPONSES)

Username = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9._-]{2,63}$")]
OfficeCode = Annotated[str, StringConstraints(pattern=OFFICE_CODE_RE.pattern)]


class OfficeOut(BaseModel):
    code: str
    name_ar: str
    name_fr: str
    central: bool


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Username
    full_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)
    ]
    password: Annotated[str, StringConstraints(max_length=200)]
    roles: list[Role] = Field(min_length=1, max_length=8)
    offices: list[OfficeCode] = Field(default_factory=list, max_length=32)
    all_offices: bool = False


class UserOut(BaseModel):
    id: int
    username: str
    roles: list[str]
    offices: list[str]


class TerminalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    terminal_id: Annotated[str, StringConstraints(pattern=TERMINAL_ID_RE.pattern)]
    office: OfficeCode


class TerminalOut(BaseModel):
    terminal_id: str
    office: str
    #: Shown once: only its digest is kept.
    token: str


@router.get("/offices", summary="The civil-status offices")
def list_offices(caller: Caller, session: Db) -> list[OfficeOut]:
    caller.require(Permission.OFFICES_READ)
    rows = session.scalars(select(Office).order_by(Office.code))
    return [
        OfficeOut(code=o.code, name_ar=o.name_ar, name_fr=o.name_fr, central=o.central)
        for o in rows
    ]


class NoticeOut(BaseModel):
    id: int
    kind: str
    from_office: str
    act_id: int
    target_act_id: int | None
    created_at: datetime
    handled: bool


def _notice_out(session: Session, n: OfficeNotice) -> NoticeOut:
    return NoticeOut(
        id=n.id,
        kind=n.kind,
        from_office=office_code(session, n.from_office_id),
        act_id=n.act_id,
        target_act_id=n.target_act_id,
        created_at=n.created_at,
        handled=n.handled_at is not None,
    )


@router.get("/offices/{office}/notices", summary="Notices from other offices still to handle")
def office_notices(office: OfficeCode, caller: Caller, session: Db) -> list[NoticeOut]:
    return [_notice_out(session, n) for n in notices.pending(session, caller, office)]


@router.post("/notices/{notice_id}/handled", summary="Mark a notice handled (its note recorded)")
def notice_handled(notice_id: int, caller: Caller, session: Db) -> NoticeOut:
    notice = notices.mark_handled(session, caller, notice_id)
    session.commit()
    return _notice_out(session, notice)


@router.post("/users", status_code=201, summary="Create a staff account")
def create_user(body: UserIn, caller: Caller, state: State, session: Db) -> UserOut:
    caller.require(Permission.USERS_MANAGE)
    user = accounts.create_user(
        session,
        state.passwords,
        caller,
        username=body.username,
        full_name=body.full_name,
        password=body.password,
        roles=body.roles,
        office_codes=body.offices,
        all_offices=body.all_offices,
    )
    session.commit()
    return UserOut(
        id=user.id,
        username=user.username,
        roles=user.roles,
        offices=accounts.office_codes_of(session, user),
    )


@router.post("/terminals", status_code=201, summary="Register a kiosk and issue its token")
def create_terminal(body: TerminalIn, caller: Caller, session: Db) -> TerminalOut:
    caller.require(Permission.TERMINALS_MANAGE)
    terminal, token = accounts.create_terminal(session, caller, body.terminal_id, body.office)
    session.commit()
    return TerminalOut(terminal_id=terminal.terminal_id, office=body.office, token=token)


class TerminalStateOut(BaseModel):
    terminal_id: str
    office: str
    active: bool


TerminalId = Annotated[str, StringConstraints(pattern=TERMINAL_ID_RE.pattern)]


@router.post("/terminals/{terminal_id}/revoke", summary="Stop a kiosk's token working (idempotent)")
def revoke_terminal(terminal_id: TerminalId, caller: Caller, session: Db) -> TerminalStateOut:
    terminal = accounts.revoke_terminal(session, caller, terminal_id)
    session.commit()
    return TerminalStateOut(
        terminal_id=terminal.terminal_id,
        office=office_code(session, terminal.office_id),
        active=terminal.active,
    )


@router.post(
    "/terminals/{terminal_id}/token",
    summary="Issue a kiosk a new token; the previous one stops working",
)
def rotate_terminal_token(terminal_id: TerminalId, caller: Caller, session: Db) -> TerminalOut:
    terminal, token = accounts.rotate_terminal_token(session, caller, terminal_id)
    session.commit()
    return TerminalOut(
        terminal_id=terminal.terminal_id,
        office=office_code(session, terminal.office_id),
        token=token,
    )
