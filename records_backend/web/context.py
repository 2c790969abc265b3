"""What every page handler gets: the web state, the language, CSRF, the signed-in staff."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from records_backend.api.deps import Db
from records_backend.api.state import AppState
from records_backend.db.models import User
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.domain.roles import Permission, Role
from records_backend.security.ratelimit import RateLimiter
from records_backend.security.tokens import TokenError
from records_backend.services.accounts import active_session, claims_for, principal_for_user
from records_backend.services.principal import Principal
from records_backend.web import security
from records_backend.web.i18n import DEFAULT_LANG, MESSAGES, Lang, translate
from records_backend.web.models import StaffSecurity
from records_backend.web.services.staff_accounts import needs_totp, security_of
from records_backend.web.settings import WebSettings

LOCAL_TZ = ZoneInfo("Africa/Casablanca")


@dataclass
class WebState:
    records: AppState
    settings: WebSettings
    csrf_key: bytes
    templates: Environment
    limiter: RateLimiter
    keys_dir: Path
    scans_dir: Path


class LoginRequiredError(Exception):
    """No valid staff session: the page answers with a redirect to the sign-in page."""


class PasswordChangeRequiredError(Exception):
    """The account must set a new password before anything else."""


class CsrfRejectedError(Exception):
    """A form came without a valid CSRF token."""


class RateLimitedError(Exception):
    """Too many portal attempts from one address."""


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


Web = Annotated[WebState, Depends(web_state)]


def request_lang(request: Request) -> Lang:
    lang: Lang = getattr(request.state, "lang", DEFAULT_LANG)
    return lang


def set_cookie_later(request: Request, name: str, value: str | None, max_age: int) -> None:
    """Cookies a dependency decides on; the middleware writes them on the response."""
    pending: list[tuple[str, str | None, int]] = request.state.cookies
    pending.append((name, value, max_age))


@dataclass
class Staff:
    principal: Principal
    user: User
    security: StaffSecurity
    #: The sign-in passed the TOTP second factor (the token's ``amr`` has ``otp``).
    second_factor: bool = False

    def has(self, permission: Permission) -> bool:
        return permission in self.principal.permissions

    def is_(self, role: Role) -> bool:
        return role in self.principal.roles


def staff_from_token(
    request: Request, web: WebState, session: Session, token: str, cookie: str
) -> Staff:
    tokens = web.records.tokens
    refresh = False
    try:
        claims = tokens.decode(token)
    except TokenError:
        try:
            claims = tokens.decode_expired(token)
        except TokenError:
            raise LoginRequiredError from None
        refresh = True
    try:
        user, login_session = active_session(session, claims.session_id, claims.user_id)
    except DomainError:
        raise LoginRequiredError from None
    now = utcnow()
    if refresh or claims.expires - now < tokens.ttl / 2:
        fresh = claims_for(session, user, login_session, web.records.login_policy, now)
        fresh = replace(fresh, amr=claims.amr)  # a refresh never adds nor drops the mark
        set_cookie_later(request, cookie, tokens.issue(fresh, now), _cookie_age(web))
    ip = getattr(request.state, "client_ip", None)
    principal = principal_for_user(session, user, ip, login_session.id)
    return Staff(principal, user, security_of(session, user.id), claims.second_factor)


def _cookie_age(web: WebState) -> int:
    return int(timedelta(seconds=web.records.settings.session_ttl_seconds).total_seconds())


def signed_in(request: Request, web: Web, session: Db) -> Staff:
    token = request.cookies.get(security.SESSION_COOKIE)
    if not token:
        raise LoginRequiredError
    staff = staff_from_token(request, web, session, token, security.SESSION_COOKIE)
    # A token that proved only the password (the pending cookie's) opens no page for an
    # account that must pass TOTP, whichever cookie it is sent in.
    if not staff.second_factor and needs_totp(session, staff.user, web.settings.totp_roles):
        raise LoginRequiredError
    if staff.security.must_change_password and request.url.path != "/staff/password":
        raise PasswordChangeRequiredError
    return staff


Signed = Annotated[Staff, Depends(signed_in)]


@dataclass
class FormFields:
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default).strip()

    def opt(self, name: str) -> str | None:
        value = self.get(name)
        return value or None

    def all(self, name: str) -> list[str]:
        return self.lists.get(name, [])


async def checked_form(request: Request, web: Web) -> FormFields:
    form = await request.form()
    seed = request.cookies.get(security.CSRF_COOKIE)
    token = form.get(security.CSRF_FIELD)
    if not security.csrf_ok(web.csrf_key, seed, token if isinstance(token, str) else None):
        raise CsrfRejectedError
    out = FormFields()
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.values.setdefault(key, value)
            out.lists.setdefault(key, []).append(value)
        elif isinstance(value, UploadFile):
            out.files[key] = value
    return out


Form = Annotated[FormFields, Depends(checked_form)]


def local_time(value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """System timestamps are UTC; staff read them in Moroccan local time."""
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def render(
    request: Request, web: WebState, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    lang = request_lang(request)
    seed: str = request.state.csrf_seed
    staff: Staff | None = values.pop("staff", None)

    def t(key: str, **kw: object) -> str:
        return translate(lang, key, **kw)

    context = {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "other_lang": "fr" if lang == "ar" else "ar",
        "t": t,
        "csrf": security.csrf_token(web.csrf_key, seed),
        "staff": staff,
        "nav": navigation(staff),
        "path": request.url.path,
        "Permission": Permission,
        "labels": MESSAGES,
        **values,
    }
    html = web.templates.get_template(template).render(context)
    return HTMLResponse(html, status_code=status)


def navigation(staff: Staff | None) -> list[tuple[str, str]]:
    """(url, text key) of the pages this person may open, in menu order."""
    if staff is None:
        return []
    items: list[tuple[str, str]] = []
    if staff.has(Permission.REQUESTS_DELIVER):
        items += [("/staff/counter", "nav.counter"), ("/staff/counter/cash", "nav.cash")]
    if staff.has(Permission.ACTS_KEY):
        items.append(("/staff/office", "nav.office"))
    if staff.has(Permission.USERS_MANAGE):
        items.append(("/staff/admin/users", "nav.admin"))
    if staff.has(Permission.AUDIT_READ):
        items.append(("/staff/audit", "nav.audit"))
    if staff.is_(Role.STATISTICIAN):
        items.append(("/staff/stats", "nav.stats"))
    items.append(("/staff/help", "nav.help"))
    return items


def csrf_key_of(records: AppState) -> bytes:
    """A server key for CSRF tokens, derived from the backend's signing key."""
    key = records.tokens.key
    return hashlib.sha256(b"sijill-web-csrf|" + key.private_pem()).digest()
