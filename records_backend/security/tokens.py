"""Short-lived EdDSA JWTs for staff, and opaque bearer tokens for terminals."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from records_backend.security.keys import SigningKey

TERMINAL_TOKEN_PREFIX = "sjt_"  # noqa: S105  (a visible prefix, not a secret)


@dataclass(frozen=True, slots=True)
class StaffClaims:
    user_id: int
    username: str
    session_id: str
    roles: list[str]
    offices: list[str]  # office codes, or ["*"] for every office
    expires: datetime
    #: The person's full name, for display by other services.
    name: str = ""


class TokenError(Exception):
    pass


class TokenService:
    def __init__(self, key: SigningKey, issuer: str, audience: str, ttl: timedelta) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def issue(self, claims: StaffClaims, now: datetime) -> str:
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(claims.user_id),
            "preferred_username": claims.username,
            "name": claims.name or claims.username,
            "sid": claims.session_id,
            "roles": claims.roles,
            "offices": claims.offices,
            "iat": int(now.timestamp()),
            "exp": int(claims.expires.timestamp()),
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(
            payload, self.key.private, algorithm="EdDSA", headers={"kid": self.key.kid}
        )

    def decode(self, token: str) -> StaffClaims:
        try:
            data = jwt.decode(
                token,
                self.key.public,
                algorithms=["EdDSA"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "sid", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        return StaffClaims(
            user_id=int(data["sub"]),
            username=str(data.get("preferred_username", "")),
            session_id=str(data["sid"]),
            roles=list(data.get("roles", [])),
            offices=list(data.get("offices", [])),
            expires=datetime.fromtimestamp(int(data["exp"]), UTC),
            name=str(data.get("name", "")),
        )


def new_terminal_token() -> str:
    return TERMINAL_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
