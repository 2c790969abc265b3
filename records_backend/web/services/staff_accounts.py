"""Passwords, locks, resets and the TOTP second factor of staff accounts."""

from __future__ import annotations

import secrets
import string
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import LoginSession, User, UserOffice
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission, Role
from records_backend.security import second_factor, totp
from records_backend.security.passwords import Passwords, check_strength
from records_backend.security.second_factor import security_of
from records_backend.services.offices import office_by_code
from records_backend.services.principal import Principal

__all__ = ["security_of"]


class PasswordRefusedError(Exception):
    """Why a new password is refused: a message key of the pages."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.key = key
        self.detail = detail


def change_password(
    session: Session, passwords: Passwords, by: Principal, user: User, current: str, new: str
) -> None:
    if not passwords.verify(user.password_hash, current):
        raise DomainError("bad_credentials")
    if new == current:
        raise PasswordRefusedError("password.same")
    weakness = check_strength(new)
    if weakness:
        raise PasswordRefusedError("password.hint", weakness)
    user.password_hash = passwords.hash(new)
    security_of(session, user.id).must_change_password = False
    append(session, by.actor, "user.password_change", "user", user.id)


def temporary_password() -> str:
    """Readable, strong enough, and never shown again after the administrator's page."""
    alphabet = string.ascii_lowercase + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{body[:5]}-{body[5:]}7"


def reset_password(session: Session, passwords: Passwords, by: Principal, user: User) -> str:
    by.require(Permission.USERS_MANAGE)
    password = temporary_password()
    user.password_hash = passwords.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    security_of(session, user.id).must_change_password = True
    _end_sessions(session, user.id)
    append(session, by.actor, "user.password_reset", "user", user.id)
    return password


def set_locked(session: Session, by: Principal, user: User, locked: bool) -> None:
    """Locking ends every open session at once (tokens name their session)."""
    by.require(Permission.USERS_MANAGE)
    if by.user_id == user.id and locked:
        raise DomainError("invalid_input", "an administrator cannot lock their own account")
    user.active = not locked
    if not locked:
        user.failed_logins = 0
        user.locked_until = None
    else:
        _end_sessions(session, user.id)
    append(session, by.actor, "user.lock" if locked else "user.unlock", "user", user.id)


def set_scope(
    session: Session,
    by: Principal,
    user: User,
    roles: list[Role],
    office_codes: list[str],
    all_offices: bool,
) -> None:
    by.require(Permission.USERS_MANAGE)
    if not roles:
        raise DomainError("invalid_input", "at least one role")
    offices = [office_by_code(session, code) for code in office_codes]
    user.roles = sorted(r.value for r in roles)
    user.all_offices = all_offices
    for row in session.scalars(select(UserOffice).where(UserOffice.user_id == user.id)):
        session.delete(row)
    session.flush()
    for office in offices:
        session.add(UserOffice(user_id=user.id, office_id=office.id))
    _end_sessions(session, user.id)
    append(
        session,
        by.actor,
        "user.scope",
        "user",
        user.id,
        detail={
            "roles": user.roles,
            "offices": sorted(o.code for o in offices),
            "all_offices": all_offices,
        },
    )


def _end_sessions(session: Session, user_id: int) -> None:
    now = utcnow()
    for ls in session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
        )
    ):
        ls.revoked_at = now


def reset_totp(session: Session, by: Principal, user: User) -> None:
    by.require(Permission.USERS_MANAGE)
    row = security_of(session, user.id)
    row.totp_secret = None
    row.totp_enabled = False
    append(session, by.actor, "user.totp_reset", "user", user.id)


def totp_secret_for_setup(session: Session, user_id: int) -> str:
    return second_factor.secret_for_setup(session, user_id)


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return totp.provisioning_uri(secret, username, issuer)


def check_totp(
    session: Session, by: Principal, user_id: int, code: str, now: float | None = None
) -> bool:
    """Accept a code of this step or its neighbours, each step at most once (no replay)."""
    return second_factor.verify(session, by.actor, user_id, code, now)


def needs_totp(session: Session, user: User, roles_requiring: Iterable[str]) -> bool:
    """Enrolled accounts, and those whose role demands it, pass a code after the password."""
    return second_factor.needed(session, user, roles_requiring)


def users_page(session: Session, by: Principal) -> list[User]:
    by.require(Permission.USERS_MANAGE)
    return list(session.scalars(select(User).order_by(User.username)))
