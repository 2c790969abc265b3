"""Login, logout, who am I, and the public key other services verify tokens with."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from records_backend.api.deps import Caller, Db, State, client_ip, totp_roles
from records_backend.api.problems import PROBLEM_RESPONSES
from records_backend.audit.log import Actor
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.security import second_factor
from records_backend.security.tokens import AMR_OTP, AMR_PASSWORD, StaffClaims
from records_backend.services import accounts

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    totp_code: Annotated[str, StringConstraints(max_length=12)] | None = Field(
        default=None,
        description="The 6-digit code of the authentication app; required for accounts that "
        "enrolled one and for officers, office heads and central administrators.",
        examples=["492039"],
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (OAuth token type, not a secret)
    expires_in: int
    roles: list[str]
    offices: list[str]
    #: How the login was proven (``pwd``, and ``otp`` after a TOTP code); also in the token.
    amr: list[str]


class MeOut(BaseModel):
    username: str
    kind: str
    roles: list[str]
    permissions: list[str]


_LOGIN_DESCRIPTION = """\
Accounts that enrolled a TOTP app, and every officer, office head and central administrator
(`SIJILL_WEB_TOTP_ROLES`), also send `totp_code`. Then the token's `amr` claim is
`["pwd", "otp"]`; otherwise `["pwd"]`, and such a token is refused with
`second_factor_required` (403) for registering and keying acts, marginal notes, approvals and
account administration.

Refusals (problem+json, Arabic and French): `bad_credentials`, `totp_required` (no code) and
`totp_invalid` (wrong or replayed code) all count towards the lock-out (`account_locked`, 423);
`totp_not_enrolled` (403): sign in once on the staff pages to enrol the authentication app.
"""


@router.post(
    "/login",
    summary="Exchange a username, password and (when due) TOTP code for a signed token",
    description=_LOGIN_DESCRIPTION,
)
def login(body: LoginIn, request: Request, state: State, session: Db) -> TokenOut:
    ip = client_ip(request)
    try:
        user, _ls, claims = accounts.login(
            session, state.passwords, state.login_policy, body.username, body.password, ip
        )
    except DomainError:
        session.commit()  # the failure count and its audit entry must stay
        raise
    if second_factor.needed(session, user, totp_roles(request)):
        actor, user_id = Actor(f"user:{user.username}", ip), user.id
        problem = second_factor.login_code_problem(session, actor, user_id, body.totp_code)
        if problem is not None:
            # The password was right but the login fails: no session, no reset of the
            # failure count; the refusal counts towards the lock-out instead.
            session.rollback()
            if problem != "totp_not_enrolled":
                second_factor.record_failure(session, state.login_policy, user_id, actor, problem)
            session.commit()
            raise DomainError(problem)
        claims = replace(claims, amr=(AMR_PASSWORD, AMR_OTP))
    session.commit()
    return _token_out(state, claims)


def _token_out(state: State, claims: StaffClaims) -> TokenOut:
    return TokenOut(
        access_token=state.tokens.issue(claims, utcnow()),
        expires_in=int((claims.expires - utcnow()).total_seconds()),
        roles=claims.roles,
        offices=claims.offices,
        amr=list(claims.amr),
    )


@router.post("/refresh", summary="A fresh token for the same, still open, session (same `amr`)")
def refresh(request: Request, caller: Caller, state: State, session: Db) -> TokenOut:
    if caller.kind != "user" or caller.session_id is None or caller.id is None:
        raise DomainError("not_authenticated")
    user, login_session = accounts.active_session(session, caller.session_id, caller.id)
    claims = accounts.claims_for(session, user, login_session, state.login_policy, utcnow())
    amr: tuple[str, ...] = getattr(request.state, "amr", (AMR_PASSWORD,))
    return _token_out(state, replace(claims, amr=amr))


@router.post("/logout", status_code=204, summary="End the session behind this token")
def logout(caller: Caller, session: Db) -> None:
    accounts.logout(session, caller)
    session.commit()


@router.get("/me", summary="The caller's identity and permissions")
def me(caller: Caller) -> MeOut:
    return MeOut(
        username=caller.name,
        kind=caller.kind,
        roles=sorted(r.value for r in caller.roles),
        permissions=sorted(p.value for p in caller.permissions),
    )


@router.get("/public-key", summary="PEM public key (Ed25519) that verifies staff tokens")
def public_key(state: State) -> dict[str, str]:
    key = state.tokens.key
    return {
        "kid": key.kid,
        "alg": "EdDSA",
        "pem": key.public_pem(),
        "issuer": state.tokens.issuer,
        "audience": state.tokens.audience,
    }


@router.get(
    "/public-key.pem",
    summary="The same key as a bare PEM file",
    response_class=PlainTextResponse,
)
def public_key_pem(state: State) -> PlainTextResponse:
    return PlainTextResponse(state.tokens.key.public_pem(), media_type="application/x-pem-file")


@router.get("/jwks", summary="The same key as a JSON Web Key Set")
def jwks(state: State) -> dict[str, Any]:
    return {"keys": [state.tokens.key.jwk()]}
