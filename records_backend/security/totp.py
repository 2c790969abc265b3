"""The TOTP second factor (RFC 6238, 30 s steps, 6 digits): codes, and who must use one.

No I/O here: ``second_factor`` keeps the secrets and the last accepted step in the database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import pyotp

from records_backend.domain.roles import Permission

STEP_S = 30
#: Roles that must pass a TOTP code (officers, office heads, central administrators);
#: ``SIJILL_WEB_TOTP_ROLES`` can change it.
DEFAULT_TOTP_ROLES: tuple[str, ...] = ("officer", "office_head", "central_admin")
#: What a staff token without the second-factor mark may not do, whatever its roles grant:
#: registering and keying acts (and importing them), marginal notes, approvals, accounts.
PRIVILEGED: frozenset[Permission] = frozenset(
    {
        Permission.ACTS_KEY,
        Permission.NOTES_RECORD,
        Permission.NOTES_VALIDATE,
        Permission.REQUESTS_DECIDE,
        Permission.USERS_MANAGE,
        Permission.EXCHANGE,
    }
)


def required(roles: Iterable[str], enrolled: bool, totp_roles: Iterable[str]) -> bool:
    """An account passes a code when it enrolled one, or when one of its roles demands it."""
    return enrolled or not set(roles).isdisjoint(totp_roles)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def matching_step(secret: str, code: str, last_step: int, now: float) -> int | None:
    """The time step ``code`` belongs to (this one or a neighbour, for clock drift), or None.

    Steps up to ``last_step`` were used already: a code is never accepted twice.
    """
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now // STEP_S)
    for candidate in (step, step - 1, step + 1):
        if candidate > last_step and secrets.compare_digest(totp.at(candidate * STEP_S), code):
            return candidate
    return None
