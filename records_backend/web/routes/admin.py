"""Administration: staff accounts, roles and office scopes, locks, resets; the audit viewer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from records_backend.api.deps import Db
from records_backend.audit.log import verify
from records_backend.db.models import Office, User
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission, Role
from records_backend.services import accounts
from records_backend.web.context import Form, Signed, Staff, Web, WebState, render
from records_backend.web.services import audit_view, staff_accounts
from records_backend.web.services.counter import LOCAL_TZ
from records_backend.web.services.offices import office_overview

router = APIRouter(prefix="/staff", include_in_schema=False)


def _users_page(
    request: Request, web: WebState, session: Db, staff: Staff, status: int = 200, **values: Any
) -> HTMLResponse:
    users = staff_accounts.users_page(session, staff.principal)
    scopes = {u.id: accounts.office_codes_of(session, u) for u in users}
    offices = list(session.scalars(select(Office).order_by(Office.code)))
    return render(
        request,
        web,
        "admin_users.html",
        status=status,
        staff=staff,
        users=users,
        scopes=scopes,
        offices=offices,
        roles=[r.value for r in Role],
        **values,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, web: Web, session: Db, staff: Signed) -> HTMLResponse:
    return _users_page(request, web, session, staff)


def _roles(values: list[str]) -> list[Role]:
    return [Role(v) for v in values if v in Role.__members__.values()]


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(request: Request, web: Web, session: Db, staff: Signed, form: Form) -> HTMLResponse:
    staff.principal.require(Permission.USERS_MANAGE)
    password = staff_accounts.temporary_password()
    user = accounts.create_user(
        session,
        web.records.passwords,
        staff.principal,
        username=form.get("username").lower(),
        full_name=form.get("full_name"),
        password=password,
        roles=_roles(form.all("roles")),
        office_codes=form.all("offices"),
        all_offices=form.get("all_offices") == "yes",
    )
    staff_accounts.security_of(session, user.id).must_change_password = True
    session.commit()
    return _users_page(
        request, web, session, staff, flash="admin.created", temp=(user.username, password)
    )


def _user(session: Db, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise DomainError("not_found", f"user {user_id}")
    return user


@router.post("/admin/users/{user_id}/lock", response_model=None)
def lock(session: Db, staff: Signed, user_id: int, form: Form) -> Response:
    locked = form.get("locked") == "yes"
    staff_accounts.set_locked(session, staff.principal, _user(session, user_id), locked)
    session.commit()
    return RedirectResponse("/staff/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/reset", response_class=HTMLResponse)
def reset(
    request: Request, web: Web, session: Db, staff: Signed, user_id: int, _form: Form
) -> HTMLResponse:
    user = _user(session, user_id)
    password = staff_accounts.reset_password(session, web.records.passwords, staff.principal, user)
    session.commit()
    return _users_page(request, web, session, staff, temp=(user.username, password))


@router.post("/admin/users/{user_id}/totp-reset", response_model=None)
def totp_reset(session: Db, staff: Signed, user_id: int, _form: Form) -> Response:
    staff_accounts.reset_totp(session, staff.principal, _user(session, user_id))
    session.commit()
    return RedirectResponse("/staff/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/scope", response_model=None)
def scope(session: Db, staff: Signed, user_id: int, form: Form) -> Response:
    staff_accounts.set_scope(
        session,
        staff.principal,
        _user(session, user_id),
        _roles(form.all("roles")),
        form.all("offices"),
        form.get("all_offices") == "yes",
    )
    session.commit()
    return RedirectResponse("/staff/admin/users", status_code=303)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, web: Web, session: Db, staff: Signed, user_id: int) -> HTMLResponse:
    staff.principal.require(Permission.USERS_MANAGE)
    user = _user(session, user_id)
    return render(
        request,
        web,
        "admin_user.html",
        staff=staff,
        user=user,
        scope=set(accounts.office_codes_of(session, user)),
        offices=list(session.scalars(select(Office).order_by(Office.code))),
        roles=[r.value for r in Role],
    )


@router.get("/admin/offices", response_class=HTMLResponse)
def offices_page(request: Request, web: Web, session: Db, staff: Signed) -> HTMLResponse:
    staff.principal.require(Permission.USERS_MANAGE)
    return render(
        request,
        web,
        "admin_offices.html",
        staff=staff,
        rows=office_overview(session),
    )


def _day_start(d: date | None) -> datetime | None:
    return datetime.combine(d, time.min, LOCAL_TZ) if d else None


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request,
    web: Web,
    session: Db,
    staff: Signed,
    actor: str = "",
    action: str = "",
    office: str = "",
    since: date | None = None,
    until: date | None = None,
    before: int | None = None,
    check: str = "",
) -> HTMLResponse:
    until_end = _day_start(until + timedelta(days=1)) if until else None
    rows = audit_view.entries(
        session,
        staff.principal,
        audit_view.AuditFilter(
            actor or None, action or None, office or None, _day_start(since), until_end, before
        ),
    )
    session.commit()
    verdict = verify(session) if check == "1" else None
    return render(
        request,
        web,
        "audit.html",
        staff=staff,
        rows=rows,
        verdict=verdict,
        f={"actor": actor, "action": action, "office": office, "since": since, "until": until},
    )
