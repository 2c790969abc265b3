"""Staff accounts, logins with lock-out, sessions, and terminal credentials."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from records_backend.audit.log import Actor, append
from records_backend.db.models import LoginSession, Office, Terminal, User, UserOffice
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission, Role
from records_backend.security.passwords import Passwords, check_strength
from records_backend.security.tokens import StaffClaims, new_terminal_token, token_digest
from records_backend.services.offices import office_by_code, office_code
from records_backend.services.principal import Principal


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    max_failures: int
    lockout: timedelta
    session_ttl: timedelta
    token_ttl: timedelta


def create_user(
    session: Session,
    passwords: Passwords,
    by: Principal,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: list[Role],
    office_codes: list[str],
    all_offices: bool = False,
) -> User:
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise DomainError("username_taken", username)
    weakness = check_strength(password)
    if weakness:
        raise DomainError("weak_password", weakness)
    user = User(
        username=username,
        full_name=full_name,
        password_hash=passwords.hash(password),
        roles=sorted(r.value for r in roles),
        all_offices=all_offices,
        active=True,
        failed_logins=0,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    for code in office_codes:
        session.add(UserOffice(user_id=user.id, office_id=office_by_code(session, code).id))
    append(
        session,
        by.actor,
        "user.create",
        "user",
        user.id,
        detail={
            "username": username,
            "roles": user.roles,
            "offices": sorted(office_codes),
            "all_offices": all_offices,
        },
    )
    session.flush()
    return user


def office_ids_of(session: Session, user: User) -> frozenset[int] | None:
    if user.all_offices:
        return None
    return frozenset(
        session.scalars(select(UserOffice.office_id).where(UserOffice.user_id == user.id))
    )


def office_codes_of(session: Session, user: User) -> list[str]:
    if user.all_offices:
        return ["*"]
    return sorted(
        session.scalars(
            select(Office.code)
            .join(UserOffice, UserOffice.office_id == Office.id)
            .where(UserOffice.user_id == user.id)
        )
    )


def login(
    session: Session,
    passwords: Passwords,
    policy: LoginPolicy,
    username: str,
    password: str,
    ip: str | None,
) -> tuple[User, LoginSession, StaffClaims]:
    """Check a password; count failures and lock the account after too many."""
    now = utcnow()
    actor = Actor(f"user:{username}", ip)
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        passwords.verify(passwords.dummy_hash, password)
        append(session, actor, "auth.login_failed", "user", username, detail={"reason": "unknown"})
        raise DomainError("bad_credentials")
    if user.locked_until is not None and user.locked_until > now:
        append(session, actor, "auth.login_refused", "user", user.id, detail={"reason": "locked"})
        raise DomainError(
            "account_locked", retry_after=int((user.locked_until - now).total_seconds())
        )
    if not passwords.verify(user.password_hash, password):
        user.failed_logins += 1
        detail: dict[str, object] = {"reason": "password", "failures": user.failed_logins}
        if user.failed_logins >= policy.max_failures:
            user.locked_until = now + policy.lockout
            user.failed_logins = 0
            detail["locked_until"] = user.locked_until.isoformat()
        append(session, actor, "auth.login_failed", "user", user.id, detail=detail)
        raise DomainError("bad_credentials")
    user.failed_logins = 0
    user.locked_until = None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    login_session = LoginSession(
        id=secrets.token_hex(16),
        user_id=user.id,
        created_at=now,
        expires_at=now + policy.session_ttl,
        ip=ip,
    )
    session.add(login_session)
    append(session, actor, "auth.login", "user", user.id, detail={"session": login_session.id})
    return user, login_session, claims_for(session, user, login_session, policy, now)


def claims_for(
    session: Session, user: User, login_session: LoginSession, policy: LoginPolicy, now: datetime
) -> StaffClaims:
    expires = min(now + policy.token_ttl, login_session.expires_at)
    return StaffClaims(
        user_id=user.id,
        username=user.username,
        session_id=login_session.id,
        roles=list(user.roles),
        offices=office_codes_of(session, user),
        expires=expires,
        name=user.full_name,
    )


def active_session(session: Session, session_id: str, user_id: int) -> tuple[User, LoginSession]:
    """The session behind a token, refused once ended, expired, or the account disabled."""
    row = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.id == session_id)
    ).first()
    now = utcnow()
    if row is None:
        raise DomainError("session_expired")
    login_session, user = row
    if (
        login_session.user_id != user_id
        or login_session.revoked_at is not None
        or login_session.expires_at <= now
        or not user.active
    ):
        raise DomainError("session_expired")
    return user, login_session


# Built once (the busiest read of the API): no expression or cache key to rebuild per call.
_SESSION_CALLER = (
    select(
        LoginSession.user_id,
        LoginSession.revoked_at,
        LoginSession.expires_at,
        User.username,
        User.roles,
        User.all_offices,
        User.active,
    )
    .join(User, User.id == LoginSession.user_id)
    .where(LoginSession.id == bindparam("session"))
)
_OFFICES_OF = select(UserOffice.office_id).where(UserOffice.user_id == bindparam("user"))


def session_principal(session: Session, session_id: str, user_id: int, ip: str | None) -> Principal:
    """The caller behind an API token, checked like ``active_session`` (ended, expired or
    disabled: refused) in one query of the columns it needs (the busiest read of the API)."""
    row = session.execute(_SESSION_CALLER, {"session": session_id}).first()
    if (
        row is None
        or row.user_id != user_id
        or row.revoked_at is not None
        or row.expires_at <= utcnow()
        or not row.active
    ):
        raise DomainError("session_expired")
    offices = (
        None if row.all_offices else frozenset(session.scalars(_OFFICES_OF, {"user": user_id}))
    )
    roles = frozenset(Role(r) for r in row.roles)
    return Principal.user(user_id, row.username, roles, offices, ip=ip, session_id=session_id)


def logout(session: Session, principal: Principal) -> None:
    if principal.session_id is None:
        return
    login_session = session.get(LoginSession, principal.session_id)
    if login_session is not None and login_session.revoked_at is None:
        login_session.revoked_at = utcnow()
        append(session, principal.actor, "auth.logout", "user", principal.id or 0)


def principal_for_user(
    session: Session, user: User, ip: str | None, session_id: str | None
) -> Principal:
    return Principal.user(
        user.id,
        user.username,
        frozenset(Role(r) for r in user.roles),
        office_ids_of(session, user),
        ip=ip,
        session_id=session_id,
    )


def create_terminal(
    session: Session, by: Principal, terminal_id: str, office_code: str
) -> tuple[Terminal, str]:
    """Register a kiosk; the token is returned once and only its digest is kept."""
    office = office_by_code(session, office_code)
    by.require_office(office.id)
    if session.scalar(select(Terminal.id).where(Terminal.terminal_id == terminal_id)) is not None:
        raise DomainError("terminal_exists", terminal_id)
    token = new_terminal_token()
    terminal = Terminal(
        terminal_id=terminal_id,
        office_id=office.id,
        token_sha256=token_digest(token),
        active=True,
        created_at=utcnow(),
    )
    session.add(terminal)
    session.flush()
    append(session, by.actor, "terminal.create", "terminal", terminal_id, office=office.code)
    return terminal, token


def _managed_terminal(session: Session, by: Principal, terminal_id: str) -> Terminal:
    by.require(Permission.TERMINALS_MANAGE)
    terminal = session.scalar(select(Terminal).where(Terminal.terminal_id == terminal_id))
    if terminal is None:
        raise DomainError("not_found", terminal_id)
    by.require_office(terminal.office_id)
    return terminal


def revoke_terminal(session: Session, by: Principal, terminal_id: str) -> Terminal:
    """A lost or retired kiosk: its token stops working at once (idempotent)."""
    terminal = _managed_terminal(session, by, terminal_id)
    if terminal.active:
        terminal.active = False
        append(
            session,
            by.actor,
            "terminal.revoke",
            "terminal",
            terminal_id,
            office=office_code(session, terminal.office_id),
        )
    return terminal


def rotate_terminal_token(
    session: Session, by: Principal, terminal_id: str
) -> tuple[Terminal, str]:
    """A new token for a kiosk (re-provisioned, or its token exposed); the old one is dead.
    Re-activates a revoked kiosk: issuing it a token is the decision to let it back."""
    terminal = _managed_terminal(session, by, terminal_id)
    token = new_terminal_token()
    terminal.token_sha256 = token_digest(token)
    terminal.active = True
    append(
        session,
        by.actor,
        "terminal.token_rotate",
        "terminal",
        terminal_id,
        office=office_code(session, terminal.office_id),
    )
    return terminal, token


_TERMINAL_CALLER = select(
    Terminal.id, Terminal.terminal_id, Terminal.office_id, Terminal.active
).where(Terminal.token_sha256 == bindparam("digest"))


def terminal_principal(session: Session, token: str, ip: str | None) -> Principal:
    # Columns, not the entity: this runs on every kiosk call and needs no identity map.
    terminal = session.execute(_TERMINAL_CALLER, {"digest": token_digest(token)}).first()
    if terminal is None or not terminal.active:
        raise DomainError("not_authenticated", "unknown terminal token")
    return Principal(
        kind="terminal",
        id=terminal.id,
        name=terminal.terminal_id,
        permissions=_TERMINAL_PERMISSIONS,
        office_ids=frozenset({terminal.office_id}),
        ip=ip,
    )


_TERMINAL_PERMISSIONS = frozenset({Permission.REQUESTS_SUBMIT, Permission.ACTS_FIND})
