"""Signing in to the dashboard with a records backend account (password and, when the
account needs one, its TOTP code); refusals come back as a reason code the page explains."""

from __future__ import annotations

import httpx

from fleet_manager.auth import AuthError

#: Reasons a sign-in fails, each with a text in the dashboard's catalogue (``login_<code>``).
REASONS = frozenset(
    {
        "refused",
        "locked",
        "totp_required",
        "totp_invalid",
        "totp_not_enrolled",
        "unreachable",
        "unexpected",
        "needed",
        "token",
        "no_role",
        "no_scope",
    }
)
#: The records backend's problem codes that the dashboard explains as they are.
_PASSED_ON = {
    "bad_credentials": "refused",
    "account_locked": "locked",
    "totp_required": "totp_required",
    "totp_invalid": "totp_invalid",
    "totp_not_enrolled": "totp_not_enrolled",
}
TOTP_MAX_DIGITS = 8


def clean_totp(code: str | None) -> str | None:
    """The code as typed, spaces dropped; None when left empty; refused unless digits."""
    if code is None:
        return None
    code = "".join(code.split())
    if not code:
        return None
    if not (code.isascii() and code.isdigit() and len(code) <= TOTP_MAX_DIGITS):
        raise AuthError("the verification code is digits only", "totp_invalid")
    return code


def reason_of(status: int, body: object) -> str:
    """What a refusal from ``POST /api/v1/auth/login`` means for the operator."""
    code = body.get("code") if isinstance(body, dict) else None
    if isinstance(code, str) and code in _PASSED_ON:
        return _PASSED_ON[code]
    return "unexpected" if status >= 500 else "refused"


def records_token(
    records_url: str, username: str, password: str, totp_code: str | None = None
) -> str:
    """Sign in at the records backend, the one place staff accounts live."""
    body = {"username": username, "password": password}
    code = clean_totp(totp_code)
    if code is not None:
        body["totp_code"] = code  # sent only when typed: other accounts sign in as before
    try:
        response = httpx.post(records_url.rstrip("/") + "/api/v1/auth/login", json=body, timeout=10)
    except httpx.HTTPError as exc:
        reason = f"records backend unreachable: {type(exc).__name__}"
        raise AuthError(reason, "unreachable") from None
    if response.status_code != 200:
        try:
            answer: object = response.json()
        except ValueError:
            answer = None
        reason = reason_of(response.status_code, answer)
        raise AuthError(f"sign-in refused ({reason})", reason)
    token = response.json().get("access_token")
    if not isinstance(token, str):
        raise AuthError("unexpected answer from the records backend", "unexpected")
    return token
