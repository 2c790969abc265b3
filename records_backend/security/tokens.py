"""Short-lived EdDSA JWTs for staff, and opaque bearer tokens for terminals."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from records_backend.security.keys import SigningKey

TERMINAL_TOKEN_PREFIX = "sjt_"  # noqa: S105  (a visible prefix, not a secret)
#: Authentication methods (RFC 8176 ``amr``): the password, and the TOTP second factor.
AMR_PASSWORD = "pwd"  # noqa: S105  (a method's name)
AMR_OTP = "otp"
#: Verified staff tokens kept per process (a few hundred bytes each).
_CACHE_LIMIT = 10_000


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
    #: How the login was proven; ``otp`` only after a valid TOTP code.
    amr: tuple[str, ...] = (AMR_PASSWORD,)

    @property
    def second_factor(self) -> bool:
        return AMR_OTP in self.amr


class TokenError(Exception):
    pass


class TokenService:
    def __init__(self, key: SigningKey, issuer: str, audience: str, ttl: timedelta) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl
        # Tokens whose signature and claims were checked, by digest, until they expire: a
        # signature check costs more than the rest of a lookup. Revocation is not affected:
        # the caller checks the session behind the token in the database on every request.
        self._verified: dict[bytes, StaffClaims] = {}

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
            "amr": list(claims.amr),
            "iat": int(now.timestamp()),
            "exp": int(claims.expires.timestamp()),
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(
            payload, self.key.private, algorithm="EdDSA", headers={"kid": self.key.kid}
        )

    def decode(self, token: str) -> StaffClaims:
        digest = hashlib.sha256(token.encode()).digest()
        known = self._verified.get(digest)
        if known is not None:
            if known.expires.timestamp() > time.time():
                return known
            self._verified.pop(digest, None)
        claims = self._verify(token)
        self._remember(digest, claims)
        return claims

    def decode_expired(self, token: str) -> StaffClaims:
        """Signature, issuer and audience checked, expiry not: for refreshing a page session,
        whose lifetime the login session in the database bounds. Never cached."""
        return self._verify(token, check_expiry=False)

    def _remember(self, digest: bytes, claims: StaffClaims) -> None:
        if len(self._verified) >= _CACHE_LIMIT:
            now = time.time()
            for key, seen in list(self._verified.items()):
                if seen.expires.timestamp() <= now:
                    self._verified.pop(key, None)
            if len(self._verified) >= _CACHE_LIMIT:
                self._verified.clear()
        self._verified[digest] = claims

    def _verify(self, token: str, *, check_expiry: bool = True) -> StaffClaims:
        try:
            data = jwt.decode(
                token,
                self.key.public,
                algorithms=["EdDSA"],
                audience=self.audience,
                issuer=self.issuer,
                options={"verify_exp": check_expiry, "require": ["exp", "sub", "sid", "iat"]},
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
            # Tokens from before the mark existed proved the password only.
            amr=tuple(str(m) for m in data.get("amr", [AMR_PASSWORD])),
        )


def new_terminal_token() -> str:
    return TERMINAL_TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
