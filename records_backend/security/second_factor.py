"""The TOTP second factor of staff accounts: enrolment, checking a code at login, lock-out,
and what a token without the mark may not do.

The API login (``POST /api/v1/auth/login``) and the staff pages both use it; a token
carries ``amr: ["pwd", "otp"]`` only once a code was accepted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, fields

from sqlalchemy.orm import Session

from records_backend.audit.log import Actor, append
from records_backend.db.models import User
from records_backend.db.models.pages import StaffSecurity
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission
from records_backend.security import totp
from records_backend.security.tokens import StaffClaims
from records_backend.services.accounts import LoginPolicy
from records_backend.services.principal import Principal


def security_of(session: Session, user_id: int) -> StaffSecurity:
    row = session.get(StaffSecurity, user_id)
    if row is None:
        row = StaffSecurity(
            user_id=user_id, must_change_password=False, totp_enabled=False, totp_last_step=0
        )
        session.add(row)
        session.flush()
    return row


def needed(session: Session, user: User, totp_roles: Iterable[str]) -> bool:
    """Must this account pass a code to sign in?"""
    row = session.get(StaffSecurity, user.id)
    return totp.required(user.roles, row is not None and row.totp_enabled, totp_roles)


def secret_for_setup(session: Session, user_id: int) -> str:
    """The secret to enrol (made once, shown until the first code proves the app has it)."""
    row = security_of(session, user_id)
    if row.totp_enabled:
        raise DomainError("invalid_input", "the second factor is already set up")
    if row.totp_secret is None:
        row.totp_secret = totp.new_secret()
    return row.totp_secret


def verify(
    session: Session, actor: Actor, user_id: int, code: str, now: float | None = None
) -> bool:
    """Check a code (each step at most once); the first good code completes the enrolment."""
    row = security_of(session, user_id)
    moment = time.time() if now is None else now
    step = (
        None
        if row.totp_secret is None
        else totp.matching_step(row.totp_secret, code.strip(), row.totp_last_step, moment)
    )
    if step is None:
        append(session, actor, "auth.totp_failed", "user", user_id)
        return False
    row.totp_last_step = step
    first = not row.totp_enabled
    row.totp_enabled = True
    append(session, actor, "auth.totp_enrolled" if first else "auth.totp_ok", "user", user_id)
    return True


def login_code_problem(
    session: Session, actor: Actor, user_id: int, code: str | None
) -> str | None:
    """Why the code given at login is refused (an error code), or None when it passed."""
    if not security_of(session, user_id).totp_enabled:
        return "totp_not_enrolled"
    if not code or not code.strip():
        return "totp_required"
    return None if verify(session, actor, user_id, code) else "totp_invalid"


def record_failure(
    session: Session, policy: LoginPolicy, user_id: int, actor: Actor, reason: str
) -> bool:
    """Count a refused second factor like a wrong password; True when it locked the account."""
    user = session.get(User, user_id)
    if user is None:
        return False
    now = utcnow()
    user.failed_logins += 1
    detail: dict[str, object] = {"reason": reason, "failures": user.failed_logins}
    locked = user.failed_logins >= policy.max_failures
    if locked:
        user.locked_until = now + policy.lockout
        user.failed_logins = 0
        detail["locked_until"] = user.locked_until.isoformat()
    append(session, actor, "auth.login_failed", "user", user_id, detail=detail)
    return locked


@dataclass(frozen=True, slots=True)
class PasswordOnlyPrincipal(Principal):
    """A caller whose token lacks the second-factor mark: privileged actions are refused
    with ``second_factor_required`` rather than as a missing role."""

    withheld: frozenset[Permission] = frozenset()

    def require(self, permission: Permission) -> None:
        if permission in self.withheld:
            raise DomainError(
                "second_factor_required", f"{self.name} signed in without a TOTP code"
            )
        Principal.require(self, permission)


def restrict(principal: Principal, claims: StaffClaims, totp_roles: Iterable[str]) -> Principal:
    """The caller as its token allows: without the mark, a role that must use TOTP loses
    its privileged permissions (a page's half-done sign-in, or an older token)."""
    if claims.second_factor or not totp.required(principal.roles, False, totp_roles):
        return principal
    withheld = principal.permissions & totp.PRIVILEGED
    if not withheld:
        return principal
    values = {f.name: getattr(principal, f.name) for f in fields(Principal)}
    values["permissions"] = principal.permissions - withheld
    return PasswordOnlyPrincipal(**values, withheld=withheld)
