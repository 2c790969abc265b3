"""Login, logout, who am I, and the public key other services verify tokens with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, StringConstraints

from records_backend.api.deps import Caller, Db, State, client_ip
from records_backend.api.problems import PROBLEM_RESPONSES
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.services import accounts

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=PROBLEM_RESPONSES)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  (OAuth token type, not a secret)
    expires_in: int
    roles: list[str]
    offices: list[str]


class MeOut(BaseModel):
    username: str
    kind: str
    roles: list[str]
    permissions: list[str]


@router.post("/login", summary="Exchange a username and password for a signed token")
def login(body: LoginIn, request: Request, state: State, session: Db) -> TokenOut:
    try:
        _user, _ls, claims = accounts.login(
            session,
            state.passwords,
            state.login_policy,
            body.username,
            body.password,
            client_ip(request),
        )
    except DomainError:
        session.commit()  # the failure count and its audit entry must stay
        raise
    session.commit()
    token = state.tokens.issue(claims, utcnow())
    return TokenOut(
        access_token=token,
        expires_in=int((claims.expires - utcnow()).total_seconds()),
        roles=claims.roles,
        offices=claims.offices,
    )


@router.post("/refresh", summary="A fresh token for the same, still open, session")
def refresh(caller: Caller, state: State, session: Db) -> TokenOut:
    if caller.kind != "user" or caller.session_id is None or caller.id is None:
        raise DomainError("not_authenticated")
    user, login_session = accounts.active_session(session, caller.session_id, caller.id)
    claims = accounts.claims_for(session, user, login_session, state.login_policy, utcnow())
    return TokenOut(
        access_token=state.tokens.issue(claims, utcnow()),
        expires_in=int((claims.expires - utcnow()).total_seconds()),
        roles=claims.roles,
        offices=claims.offices,
    )


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
