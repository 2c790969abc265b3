"""The TOTP second factor's pure parts: who needs it, code steps, the token's ``amr`` mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pyotp
import pytest

from records_backend.domain.errors import CATALOG, DomainError
from records_backend.domain.roles import GRANTS, Permission, Role
from records_backend.security import second_factor, totp
from records_backend.security.keys import SigningKey
from records_backend.security.tokens import AMR_OTP, AMR_PASSWORD, StaffClaims, TokenService
from records_backend.services.principal import Principal
from records_backend.web.settings import WebSettings

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_roles_and_enrolment_decide_who_passes_a_code() -> None:
    roles = totp.DEFAULT_TOTP_ROLES
    assert totp.required(["officer"], False, roles)
    assert totp.required(["clerk", "central_admin"], False, roles)
    assert not totp.required(["clerk"], False, roles)
    assert not totp.required(["fleet_operator", "technician"], False, roles)
    assert totp.required(["clerk"], True, roles)  # enrolled of their own accord
    assert not totp.required(["officer"], False, [])
    assert WebSettings().totp_roles == list(roles)


def test_only_totp_roles_hold_privileged_permissions() -> None:
    """Roles outside the TOTP list (technicians, fleet operators…) never lose anything."""
    for role, granted in GRANTS.items():
        if role.value not in totp.DEFAULT_TOTP_ROLES:
            assert not granted & totp.PRIVILEGED, role
    assert Permission.TERMINALS_MANAGE not in totp.PRIVILEGED


def test_a_code_matches_its_step_or_a_neighbour_once() -> None:
    now = 1_800_000_000.0
    step = int(now // totp.STEP_S)
    code = pyotp.TOTP(SECRET).at(now)
    assert totp.matching_step(SECRET, code, 0, now) == step
    assert totp.matching_step(SECRET, code, step, now) is None  # used already
    assert totp.matching_step(SECRET, code, 0, now + 30) == step  # the phone is a step late
    assert totp.matching_step(SECRET, code, 0, now + 90) is None
    assert totp.matching_step(SECRET, "12345", 0, now) is None
    assert totp.matching_step(SECRET, "abcdef", 0, now) is None


def _claims(amr: tuple[str, ...]) -> StaffClaims:
    expires = datetime.now(UTC) + timedelta(minutes=5)
    return StaffClaims(1, "rachid", "s1", ["officer"], ["MK01"], expires, "Rachid", amr)


def test_tokens_carry_the_mark_and_older_tokens_have_none() -> None:
    key = SigningKey.generate()
    service = TokenService(key, "sijill-records", "sijill", timedelta(minutes=15))
    now = datetime.now(UTC)
    marked = service.decode(service.issue(_claims((AMR_PASSWORD, AMR_OTP)), now))
    assert marked.amr == ("pwd", "otp")
    assert marked.second_factor
    plain = service.decode(service.issue(_claims((AMR_PASSWORD,)), now))
    assert not plain.second_factor
    legacy = jwt.encode(
        {
            "iss": "sijill-records",
            "aud": "sijill",
            "sub": "1",
            "sid": "s1",
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + 60,
        },
        key.private,
        algorithm="EdDSA",
    )
    assert service.decode(legacy).amr == ("pwd",)


def test_a_password_only_officer_keeps_reading_but_not_keying() -> None:
    officer = Principal.user(7, "rachid", frozenset({Role.OFFICER}), frozenset({1}))
    limited = second_factor.restrict(officer, _claims((AMR_PASSWORD,)), totp.DEFAULT_TOTP_ROLES)
    limited.require(Permission.ACTS_READ)
    for permission in (Permission.ACTS_KEY, Permission.REQUESTS_DECIDE, Permission.NOTES_RECORD):
        with pytest.raises(DomainError) as refused:
            limited.require(permission)
        assert refused.value.code == "second_factor_required"
    full = second_factor.restrict(
        officer, _claims((AMR_PASSWORD, AMR_OTP)), totp.DEFAULT_TOTP_ROLES
    )
    assert full is officer
    # Where the officer role is not a TOTP role, nothing is withheld.
    assert second_factor.restrict(officer, _claims((AMR_PASSWORD,)), []) is officer


def test_the_refusals_speak_arabic_and_french() -> None:
    for code in ("totp_required", "totp_invalid", "totp_not_enrolled", "second_factor_required"):
        status, ar, fr = CATALOG[code]
        assert status in {401, 403}
        assert any("\u0600" <= ch <= "\u06ff" for ch in ar)
        assert fr
        assert not any("\u0600" <= ch <= "\u06ff" for ch in fr)
