"""Staff pages, the citizen portal and statistics, served by the records backend itself.

``install(app)`` adds them to the FastAPI app made by ``records_backend.app.create_app``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.middleware.base import BaseHTTPMiddleware, DispatchFunction
from starlette.responses import Response as StarletteResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from records_backend.api.state import AppState
from records_backend.domain.errors import DomainError
from records_backend.security.ratelimit import RateLimiter, client_address
from records_backend.web import security
from records_backend.web.context import (
    CsrfRejectedError,
    LoginRequiredError,
    PasswordChangeRequiredError,
    RateLimitedError,
    Staff,
    WebState,
    csrf_key_of,
    local_time,
    render,
    staff_from_token,
)
from records_backend.web.i18n import DEFAULT_LANG, pick_lang
from records_backend.web.settings import WebSettings

#: Paths the pages own: security headers, language and CSRF cookies apply to them.
WEB_PREFIXES = ("/staff", "/portal", "/web-static")
LANG_MAX_AGE = 365 * 86400


def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("records_backend.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = local_time
    return env


def _static_dir() -> Path:
    return Path(str(resources.files("records_backend.web").joinpath("static")))


def install(app: FastAPI, settings: WebSettings | None = None) -> WebState:
    records: AppState = app.state.records
    settings = settings or WebSettings(
        data_dir=records.settings.data_dir, mode=records.settings.mode
    )
    web = WebState(
        records=records,
        settings=settings,
        csrf_key=csrf_key_of(records),
        templates=_templates(),
        limiter=RateLimiter(settings.portal_rate_per_minute),
        keys_dir=records.settings.data_dir / "documents" / "keys",
        scans_dir=records.settings.data_dir / "scans",
    )
    app.state.web = web

    # Imported here: the route modules import this package's context.
    from records_backend.web.routes import admin, auth, counter, help, office, portal, stats

    for module in (auth, counter, office, admin, stats, portal, help):
        app.include_router(module.router)
    app.mount("/web-static", StaticFiles(directory=_static_dir()), name="web-static")
    _install_middleware(app, web)
    _install_handlers(app, web)
    return web


def _owned(path: str) -> bool:
    return path == "/" or path.startswith(WEB_PREFIXES)


class _OwnedPathsOnly:
    """Runs the pages' middleware on the pages' paths only.

    ``BaseHTTPMiddleware`` wraps each request it sees in a task and a body stream; the API's
    requests, which need none of what the pages' middleware does, go straight through.
    """

    def __init__(self, app: ASGIApp, dispatch: DispatchFunction) -> None:
        self.app = app
        self.pages = BaseHTTPMiddleware(app, dispatch=dispatch)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _owned(scope["path"]):
            await self.pages(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _install_middleware(app: FastAPI, web: WebState) -> None:
    async def _pages(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        chosen = pick_lang(request.query_params.get("lang"))
        request.state.lang = (
            chosen or pick_lang(request.cookies.get(security.LANG_COOKIE)) or DEFAULT_LANG
        )
        seed = request.cookies.get(security.CSRF_COOKIE)
        request.state.csrf_seed = seed or security.new_csrf_seed()
        request.state.cookies = []
        peer = request.client.host if request.client else None
        request.state.client_ip = client_address(
            peer, request.headers.get("x-forwarded-for"), web.settings.trusted_proxies
        )
        response = await call_next(request)
        for name, value in security.SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/web-static"):
            response.headers.setdefault("Cache-Control", "no-store")
        secure = web.settings.cookie_secure
        if chosen:
            response.set_cookie(
                security.LANG_COOKIE, chosen, max_age=LANG_MAX_AGE, samesite="lax", secure=secure
            )
        if not seed:
            response.set_cookie(
                security.CSRF_COOKIE,
                request.state.csrf_seed,
                httponly=True,
                samesite="strict",
                secure=secure,
                path="/",
            )
        for name, value, max_age in request.state.cookies:
            if value is None:
                response.delete_cookie(name, path="/")
            else:
                response.set_cookie(
                    name,
                    value,
                    max_age=max_age,
                    httponly=True,
                    samesite="strict",
                    secure=secure,
                    path="/",
                )
        return response

    app.add_middleware(_OwnedPathsOnly, dispatch=_pages)

    @app.get("/", include_in_schema=False)
    def _root() -> RedirectResponse:
        return RedirectResponse("/staff", status_code=303)


def _staff_or_none(request: Request, web: WebState) -> Staff | None:
    """Who is signed in, for the menu of an error page; nobody when that cannot be told."""
    token = request.cookies.get(security.SESSION_COOKIE)
    if not token:
        return None
    with web.records.sessions() as session:
        try:
            staff = staff_from_token(request, web, session, token, security.SESSION_COOKIE)
            session.commit()
        except (LoginRequiredError, DomainError):
            return None
    return staff


def _install_handlers(app: FastAPI, web: WebState) -> None:
    api_handler = app.exception_handlers.get(DomainError)

    async def _domain(request: Request, exc: Exception) -> StarletteResponse:
        assert isinstance(exc, DomainError)
        if not _owned(request.url.path) and api_handler is not None:
            result = api_handler(request, exc)
            if isinstance(result, Awaitable):
                result = await result
            assert isinstance(result, StarletteResponse)
            return result
        message = exc.message_ar if request.state.lang == "ar" else exc.message_fr
        return render(
            request,
            web,
            "error.html",
            status=exc.status,
            message=message,
            staff=_staff_or_none(request, web),
        )

    async def _login(request: Request, _exc: Exception) -> StarletteResponse:
        response = RedirectResponse("/staff/login", status_code=303)
        response.delete_cookie(security.SESSION_COOKIE, path="/")
        return response

    async def _password(_request: Request, _exc: Exception) -> StarletteResponse:
        return RedirectResponse("/staff/password", status_code=303)

    async def _csrf(request: Request, _exc: Exception) -> StarletteResponse:
        return render(request, web, "error.html", status=403, message_key="error.csrf")

    async def _rate(request: Request, _exc: Exception) -> StarletteResponse:
        response = render(request, web, "error.html", status=429, message_key="error.rate")
        response.headers["Retry-After"] = "60"
        return response

    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(LoginRequiredError, _login)
    app.add_exception_handler(PasswordChangeRequiredError, _password)
    app.add_exception_handler(CsrfRejectedError, _csrf)
    app.add_exception_handler(RateLimitedError, _rate)
