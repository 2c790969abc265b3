"""Staff sign-in: the records backend's signed tokens (Ed25519 JWT), verified here.

Claims used: ``sub``, ``name``, ``roles`` (list), ``offices`` (office codes, ``*`` for all),
``exp``. Fleet operators and technicians see and act only on their offices' terminals.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

FLEET_OPERATOR = "fleet_operator"
TECHNICIAN = "technician"
CENTRAL_ADMIN = "central_admin"
STATISTICIAN = "statistician"
#: Roles that open the dashboard and the operational API.
ALLOWED_ROLES = frozenset({FLEET_OPERATOR, TECHNICIAN, CENTRAL_ADMIN})
#: Roles that read the kiosk usage figures (aggregates only, no terminal control).
USAGE_ROLES = frozenset({STATISTICIAN, CENTRAL_ADMIN, FLEET_OPERATOR})
#: Commands a technician may send (an operator may send any).
TECHNICIAN_COMMANDS = frozenset(
    {"ping", "self_test", "print_test", "restart_app", "refresh_config"}
)


class AuthError(Exception):
    """A refused sign-in; ``code`` names the reason the dashboard explains to the operator."""

    def __init__(self, message: str, code: str = "token") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Staff:
    subject: str
    name: str
    roles: frozenset[str]
    offices: frozenset[str]  # empty: every office

    @property
    def all_offices(self) -> bool:
        return not self.offices

    def sees(self, office: str | None) -> bool:
        return self.all_offices or (office is not None and office in self.offices)

    @property
    def operator(self) -> bool:
        return bool(self.roles & {FLEET_OPERATOR, CENTRAL_ADMIN})

    def may_command(self, name: str) -> bool:
        return self.operator or name in TECHNICIAN_COMMANDS

    @property
    def label(self) -> str:
        return f"{self.name} ({self.subject})"


LOCAL_OPERATOR = Staff("local", "local operator", frozenset({FLEET_OPERATOR}), frozenset())


def load_public_key(path: Path | None, url: str | None) -> Ed25519PublicKey:
    if path is not None:
        pem = path.read_bytes()
    elif url is not None:
        response = httpx.get(url, timeout=10)
        response.raise_for_status()
        pem = response.content
    else:
        raise AuthError("no public key configured")
    key = load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise AuthError("the records backend's key must be Ed25519")
    return key


class TokenVerifier:
    def __init__(
        self, key: Ed25519PublicKey, issuer: str | None = None, audience: str | None = None
    ) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience

    def verify(self, token: str, allowed: frozenset[str] = ALLOWED_ROLES) -> Staff:
        """The token's staff, refused unless it holds one of the ``allowed`` roles."""
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=["EdDSA"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "sub"], "verify_aud": bool(self.audience)},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"invalid token: {exc}") from None
        raw_roles = claims.get("roles", claims.get("role", []))
        roles = frozenset([raw_roles] if isinstance(raw_roles, str) else raw_roles)
        if not roles & allowed:
            raise AuthError("this account has no fleet role", "no_role")
        offices = frozenset(str(o) for o in claims.get("offices", []) if o != "*")
        if "*" not in claims.get("offices", []) and not offices and CENTRAL_ADMIN not in roles:
            raise AuthError("this account has no office scope", "no_scope")
        return Staff(
            subject=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"]))[:100],
            roles=roles,
            offices=offices,
        )
