"""Sign-in, the TOTP second factor, password change, sign-out and the staff home page."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from records_backend.api.deps import Db
from records_backend.db.models import User
from records_backend.db.types import utcnow
from records_backend.domain.errors import DomainError
from records_backend.security import second_factor
from records_backend.security.tokens import AMR_OTP, AMR_PASSWORD
from records_backend.services import accounts
from records_backend.web import security
from records_backend.web.context import (
    Form,
    LoginRequiredError,
    Signed,
    Web,
    WebState,
    render,
    request_lang,
    set_cookie_later,
    staff_from_token,
)
from records_backend.web.i18n import translate
from records_backend.web.qrsvg import qr_svg
from records_backend.web.services import staff_accounts

router = APIRouter(prefix="/staff", include_in_schema=False)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _session_age(web: WebState) -> int:
    return web.records.settings.session_ttl_seconds


@router.get("", response_class=HTMLResponse)
def home(request: Request, web: Web, staff: Signed) -> HTMLResponse:
    return render(request, web, "home.html", staff=staff)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, web: Web) -> HTMLResponse:
    return render(request, web, "login.html", username="")


@router.post("/login", response_model=None)
def login(request: Request, web: Web, session: Db, form: Form) -> Response:
    username = form.get("username").lower()
    records = web.records
    # The failures so far stay counted until the second factor passes too: a right password
    # alone must not reset the lock-out between guesses of the TOTP code.
    failures = session.scalar(select(User.failed_logins).where(User.username == username))
    try:
        user, _login_session, claims = accounts.login(
            session,
            records.passwords,
            records.login_policy,
            username,
            form.values.get("password", ""),
            request.state.client_ip,
        )
    except DomainError as exc:
        # Failures are counted and audited: keep them even though the login is refused.
        session.commit()
        lang = request_lang(request)
        message = exc.message_ar if lang == "ar" else exc.message_fr
        return render(
            request, web, "login.html", status=exc.status, error=message, username=username
        )
    must_change = staff_accounts.security_of(session, user.id).must_change_password
    if staff_accounts.needs_totp(session, user, web.settings.totp_roles):
        user.failed_logins = failures or 0
        session.commit()
        # Password only (amr ["pwd"]): opens the TOTP page and nothing else.
        set_cookie_later(
            request, security.PENDING_COOKIE, records.tokens.issue(claims, utcnow()), 600
        )
        return _see_other("/staff/totp")
    session.commit()
    token = records.tokens.issue(claims, utcnow())
    set_cookie_later(request, security.SESSION_COOKIE, token, _session_age(web))
    return _see_other("/staff/password" if must_change else "/staff")


def _pending(request: Request, web: WebState, session: Db) -> User:
    token = request.cookies.get(security.PENDING_COOKIE)
    if not token:
        raise LoginRequiredError
    return staff_from_token(request, web, session, token, security.PENDING_COOKIE).user


@router.get("/totp", response_class=HTMLResponse)
def totp_page(request: Request, web: Web, session: Db) -> HTMLResponse:
    user = _pending(request, web, session)
    row = staff_accounts.security_of(session, user.id)
    if row.totp_enabled:
        session.commit()
        return render(request, web, "totp.html", setup=False)
    secret = staff_accounts.totp_secret_for_setup(session, user.id)
    session.commit()
    uri = staff_accounts.provisioning_uri(secret, user.username, web.settings.totp_issuer)
    return render(request, web, "totp.html", setup=True, secret=secret, qr_svg=qr_svg(uri, "TOTP"))


@router.post("/totp", response_model=None)
def totp_check(request: Request, web: Web, session: Db, form: Form) -> Response:
    token = request.cookies.get(security.PENDING_COOKIE)
    if not token:
        raise LoginRequiredError
    staff = staff_from_token(request, web, session, token, security.PENDING_COOKIE)
    ok = staff_accounts.check_totp(session, staff.principal, staff.user.id, form.get("code"))
    lang = request_lang(request)
    if not ok:
        policy = web.records.login_policy
        actor = staff.principal.actor
        if second_factor.record_failure(session, policy, staff.user.id, actor, "totp_invalid"):
            # Locked: the half-done sign-in ends too; the sign-in page says why.
            accounts.logout(session, staff.principal)
            session.commit()
            set_cookie_later(request, security.PENDING_COOKIE, None, 0)
            locked = DomainError("account_locked")
            message = locked.message_ar if lang == "ar" else locked.message_fr
            return render(
                request,
                web,
                "login.html",
                status=locked.status,
                error=message,
                username=staff.user.username,
            )
        session.commit()
        setup = not staff.security.totp_enabled
        extra = {}
        if setup and staff.security.totp_secret:
            uri = staff_accounts.provisioning_uri(
                staff.security.totp_secret, staff.user.username, web.settings.totp_issuer
            )
            extra = {"secret": staff.security.totp_secret, "qr_svg": qr_svg(uri, "TOTP")}
        return render(
            request,
            web,
            "totp.html",
            status=401,
            setup=setup,
            error=translate(lang, "totp.wrong"),
            **extra,
        )
    staff.user.failed_logins = 0
    # The page session's token carries the mark: amr ["pwd", "otp"].
    user, login_session = accounts.active_session(
        session, staff.principal.session_id or "", staff.user.id
    )
    now = utcnow()
    claims = accounts.claims_for(session, user, login_session, web.records.login_policy, now)
    claims = replace(claims, amr=(AMR_PASSWORD, AMR_OTP))
    session.commit()
    set_cookie_later(request, security.PENDING_COOKIE, None, 0)
    set_cookie_later(
        request, security.SESSION_COOKIE, web.records.tokens.issue(claims, now), _session_age(web)
    )
    must = staff.security.must_change_password
    return _see_other("/staff/password" if must else "/staff")


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, web: Web, staff: Signed) -> HTMLResponse:
    return render(
        request, web, "password.html", staff=staff, must=staff.security.must_change_password
    )


@router.post("/password", response_model=None)
def password_change(request: Request, web: Web, session: Db, staff: Signed, form: Form) -> Response:
    lang = request_lang(request)
    new, repeat = form.values.get("new", ""), form.values.get("repeat", "")
    error: str | None = None
    if new != repeat:
        error = translate(lang, "password.mismatch")
    else:
        try:
            staff_accounts.change_password(
                session,
                web.records.passwords,
                staff.principal,
                staff.user,
                form.values.get("current", ""),
                new,
            )
        except staff_accounts.PasswordRefusedError as exc:
            error = translate(lang, exc.key)
        except DomainError as exc:
            session.commit()
            error = exc.message_ar if lang == "ar" else exc.message_fr
    if error is not None:
        return render(
            request,
            web,
            "password.html",
            status=422,
            staff=staff,
            must=staff.security.must_change_password,
            error=error,
        )
    session.commit()
    return render(request, web, "home.html", staff=staff, flash="password.changed")


@router.post("/logout", response_model=None)
def logout(request: Request, web: Web, session: Db, staff: Signed, _form: Form) -> Response:
    accounts.logout(session, staff.principal)
    session.commit()
    set_cookie_later(request, security.SESSION_COOKIE, None, 0)
    return _see_other("/staff/login")
