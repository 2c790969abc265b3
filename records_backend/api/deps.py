"""Request-scoped dependencies: the database session, the caller, permission checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from records_backend.api.state import AppState
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission
from records_backend.security import second_factor
from records_backend.security.tokens import TERMINAL_TOKEN_PREFIX, TokenError
from records_backend.security.totp import DEFAULT_TOTP_ROLES
from records_backend.services.accounts import session_principal, terminal_principal
from records_backend.services.principal import Principal


# Dependencies that do no I/O are ``async``: FastAPI runs plain functions in its thread pool,
# a hop that costs more than the function itself.
async def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.records
    return state


State = Annotated[AppState, Depends(app_state)]


async def db_session(state: State) -> AsyncIterator[Session]:
    """One session per request; routes commit explicitly, anything else is rolled back.

    ``async`` although the session is used from the thread pool: opening a session does no
    I/O, and closing one after a commit only hands its connection back to the pool, so two
    thread-pool hops per request are saved (after an error, closing rolls back: one short
    round trip on the event loop).
    """
    session = state.sessions()
    try:
        yield session
    finally:
        session.close()


Db = Annotated[Session, Depends(db_session)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DomainError("not_authenticated")
    return token.strip()


def totp_roles(request: Request) -> frozenset[str]:
    """Roles that must pass a TOTP code: the staff pages' setting (``SIJILL_WEB_TOTP_ROLES``)."""
    web = getattr(request.app.state, "web", None)
    roles = getattr(getattr(web, "settings", None), "totp_roles", DEFAULT_TOTP_ROLES)
    return frozenset(str(r) for r in roles)


def current_principal(request: Request, state: State, session: Db) -> Principal:
    token = _bearer(request)
    ip = client_ip(request)
    if token.startswith(TERMINAL_TOKEN_PREFIX):
        return terminal_principal(session, token, ip)
    try:
        claims = state.tokens.decode(token)
    except TokenError:
        raise DomainError("session_expired") from None
    principal = session_principal(session, claims.session_id, claims.user_id, ip)
    request.state.amr = claims.amr  # a refreshed token keeps the caller's methods
    return second_factor.restrict(principal, claims, totp_roles(request))


Caller = Annotated[Principal, Depends(current_principal)]


def requires(permission: Permission) -> object:
    """A dependency that refuses callers without ``permission`` (403 forbidden_role)."""

    async def check(caller: Caller) -> Principal:
        caller.require(permission)
        return caller

    return Depends(check)
