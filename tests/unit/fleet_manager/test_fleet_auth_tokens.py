"""Token verification rules (no I/O)."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fleet_manager.auth import USAGE_ROLES, AuthError, TokenVerifier

KEY = Ed25519PrivateKey.generate()


def make(**claims: object) -> str:
    base: dict[str, object] = {"sub": "u1", "exp": int(time.time()) + 60}
    return jwt.encode(base | claims, KEY, algorithm="EdDSA")


def test_roles_and_offices() -> None:
    v = TokenVerifier(KEY.public_key())
    tech = v.verify(make(roles=["technician"], offices=["MK01", "MK02"], name="Ali"))
    assert tech.sees("MK01")
    assert not tech.sees("MK03")
    assert not tech.sees(None)
    assert not tech.operator
    assert tech.may_command("self_test")
    assert not tech.may_command("reboot")
    op = v.verify(make(role="fleet_operator", offices=["*"]))
    assert op.all_offices
    assert op.may_command("reboot")
    admin = v.verify(make(roles=["central_admin"]))
    assert admin.all_offices


def test_refusals() -> None:
    v = TokenVerifier(KEY.public_key(), audience="sijill")
    with pytest.raises(AuthError, match="fleet role"):
        v.verify(make(roles=["clerk"], offices=["*"], aud="sijill"))
    with pytest.raises(AuthError, match="office scope"):
        v.verify(make(roles=["technician"], offices=[], aud="sijill"))
    with pytest.raises(AuthError, match="invalid token"):
        v.verify(make(roles=["technician"], offices=["*"], aud="other"))
    with pytest.raises(AuthError, match="invalid token"):
        v.verify(
            make(roles=["technician"], offices=["*"], aud="sijill", exp=int(time.time()) - 120)
        )
    hs = jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, "secret", algorithm="HS256")
    with pytest.raises(AuthError):
        v.verify(hs)


def test_statisticians_only_read_usage() -> None:
    v = TokenVerifier(KEY.public_key())
    token = make(roles=["statistician"], offices=["MK01"])
    with pytest.raises(AuthError, match="fleet role"):
        v.verify(token)  # the dashboard and the operational API
    stats = v.verify(token, USAGE_ROLES)
    assert stats.sees("MK01")
    assert not stats.sees("MK02")
    assert not stats.operator
    with pytest.raises(AuthError, match="fleet role"):
        v.verify(make(roles=["technician"], offices=["*"]), USAGE_ROLES)
