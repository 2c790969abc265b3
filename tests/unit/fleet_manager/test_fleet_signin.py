"""Dashboard sign-in: the TOTP code as typed, and the records backend's refusals explained."""

from __future__ import annotations

import pytest

from fleet_manager.auth import AuthError
from fleet_manager.web.i18n import LANGUAGES, translator
from fleet_manager.web.signin import REASONS, clean_totp, reason_of


def test_totp_code_as_typed() -> None:
    assert clean_totp(None) is None
    assert clean_totp("  ") is None
    assert clean_totp(" 492 039 ") == "492039"
    for bad in ("49a039", "１２３４５６", "123456789"):
        with pytest.raises(AuthError) as refused:
            clean_totp(bad)
        assert refused.value.code == "totp_invalid"


def test_records_refusals_become_reasons() -> None:
    def problem(code: str) -> dict[str, object]:
        return {"code": code, "messages": {"ar": "…", "fr": "…"}}

    assert reason_of(401, problem("bad_credentials")) == "refused"
    assert reason_of(423, problem("account_locked")) == "locked"
    assert reason_of(401, problem("totp_required")) == "totp_required"
    assert reason_of(401, problem("totp_invalid")) == "totp_invalid"
    assert reason_of(403, problem("totp_not_enrolled")) == "totp_not_enrolled"
    assert reason_of(422, problem("invalid_input")) == "refused"
    assert reason_of(502, None) == "unexpected"


def test_every_reason_is_explained_in_arabic_and_french() -> None:
    for lang in LANGUAGES:
        t = translator(lang)
        for reason in REASONS:
            assert t(f"login_{reason}") != f"login_{reason}", (lang, reason)
    assert translator("ar")("login_totp_required") != translator("fr")("login_totp_required")
