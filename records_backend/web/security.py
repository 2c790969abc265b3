"""Cookies, CSRF tokens, the Content-Security-Policy and the client's address.

Staff sessions: the cookie holds the backend's own signed token (EdDSA JWT). It is refreshed
while its login session lives; the login session (server side) decides when it ends.
CSRF: a random cookie, and in every form an HMAC of it under a server key; a cross-site
page can neither read the cookie nor compute the field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_COOKIE = "sijill_session"
PENDING_COOKIE = "sijill_pending"  # password accepted, second factor still due
CSRF_COOKIE = "sijill_csrf"
LANG_COOKIE = "sijill_lang"
COUNTER_COOKIE = "sijill_counter"
CSRF_FIELD = "csrf"

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def new_csrf_seed() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(key: bytes, seed: str) -> str:
    return hmac.new(key, b"csrf|" + seed.encode(), hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, seed: str | None, token: str | None) -> bool:
    if not seed or not token:
        return False
    return hmac.compare_digest(csrf_token(key, seed), token)
