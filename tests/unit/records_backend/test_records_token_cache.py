"""Verified staff tokens are remembered until they expire, never beyond."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from records_backend.security.keys import SigningKey
from records_backend.security.tokens import StaffClaims, TokenError, TokenService


def _service() -> TokenService:
    return TokenService(SigningKey.generate(), "sijill", "records", timedelta(minutes=15))


def _claims(expires: datetime) -> StaffClaims:
    return StaffClaims(
        user_id=7,
        username="amina",
        session_id="s1",
        roles=["clerk"],
        offices=["MK01"],
        expires=expires,
    )


def test_a_verified_token_is_not_verified_again(monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service()
    now = datetime.now(UTC)
    token = service.issue(_claims(now + timedelta(minutes=5)), now)
    first = service.decode(token)
    calls: list[str] = []

    def counting(self: TokenService, raw: str) -> StaffClaims:
        calls.append(raw)
        return first

    monkeypatch.setattr(TokenService, "_verify", counting)
    assert service.decode(token) == first
    assert calls == []


def test_a_remembered_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    service = _service()
    now = datetime.now(UTC)
    token = service.issue(_claims(now + timedelta(seconds=30)), now)
    assert service.decode(token).user_id == 7
    later = (now + timedelta(seconds=31)).timestamp()
    monkeypatch.setattr(time, "time", lambda: later)
    # PyJWT checks expiry against the real clock; the cache must not answer for it.
    monkeypatch.setattr(
        TokenService,
        "_verify",
        lambda self, raw: (_ for _ in ()).throw(TokenError("Signature has expired")),
    )
    with pytest.raises(TokenError):
        service.decode(token)


def test_a_tampered_token_is_refused_even_after_the_genuine_one_was_seen() -> None:
    service = _service()
    now = datetime.now(UTC)
    token = service.issue(_claims(now + timedelta(minutes=5)), now)
    service.decode(token)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    with pytest.raises(TokenError):
        service.decode(forged)
