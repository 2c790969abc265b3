"""Dashboard pages: offices grid, office, terminal, alerts, sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from fleet_manager import actions, queries
from fleet_manager.auth import AuthError, Staff
from fleet_manager.charts import line_chart
from fleet_manager.command_args import FORM_FIELDS, LOG_LEVELS, ArgsError, check_args, from_form
from fleet_manager.deps import COOKIE, csrf_token, service_of, staff_or_none
from fleet_manager.web.i18n import LANGUAGES, RTL, pick_language, translator
from fleet_manager.web.signin import REASONS, records_token
from protocol.messages import DAY_MESSAGE_MAX, CommandName

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _when(value: datetime | None, tz: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A timestamp in the offices' time zone (stored in UTC)."""
    return value.astimezone(tz).strftime(fmt) if value is not None else "—"


templates.env.filters["when"] = _when
router = APIRouter()
LANG_COOKIE = "sijill_fleet_lang"


class SignInRequired(Exception):  # noqa: N818 - a redirect, not an error
    pass


def _staff(request: Request) -> Staff:
    staff = staff_or_none(request)
    if staff is None:
        raise SignInRequired
    return staff


def _render(request: Request, name: str, staff: Staff | None, **context: Any) -> HTMLResponse:
    lang = pick_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    svc = service_of(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": translator(lang),
            "lang": lang,
            "dir": "rtl" if lang in RTL else "ltr",
            "staff": staff,
            "open_access": svc.settings.open_access,
            "csrf": csrf_token(request),
            "now": datetime.now(UTC),
            "tz": ZoneInfo(svc.settings.office_timezone),
            **context,
        },
    )
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
    return response


def _check_form(request: Request, csrf: str) -> None:
    if csrf != csrf_token(request):
        raise HTTPException(403, "form expired: reload the page")


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    staff = _staff(request)
    with service_of(request).sessions() as session:
        tiles, totals = queries.overview(session, staff)
        open_alerts = queries.count_alerts(session, staff, ("open", "acknowledged"))
    return _render(
        request, "overview.html", staff, tiles=tiles, totals=totals, open_alerts=open_alerts
    )


#: Terminals per page of an office's list.
OFFICE_PAGE = 500


@router.get("/office/{code}", response_class=HTMLResponse)
def office(request: Request, code: str, cursor: str | None = None) -> HTMLResponse:
    staff = _staff(request)
    if not staff.sees(code):
        raise HTTPException(403, "outside your offices")
    with service_of(request).sessions() as session:
        page = queries.terminals_page(session, staff, code, None, OFFICE_PAGE, cursor)
    return _render(
        request,
        "office.html",
        staff,
        code=code,
        terminals=page.items,
        total=page.total,
        next_cursor=page.next_cursor,
        paged=bool(cursor),
    )


@router.get("/terminal/{terminal_id}", response_class=HTMLResponse)
def terminal(
    request: Request, terminal_id: str, hours: float = 24, error: str | None = None
) -> HTMLResponse:
    staff = _staff(request)
    t = translator(
        pick_language(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            request.headers.get("accept-language"),
        )
    )
    zone = ZoneInfo(service_of(request).settings.office_timezone)
    with service_of(request).sessions() as session:
        row = queries.terminal(session, staff, terminal_id)
        if row is None:
            raise HTTPException(404, "unknown terminal")
        points = queries.history(session, terminal_id, datetime.now(UTC) - timedelta(hours=hours))
        alerts = queries.alerts(
            session, staff, ("open", "acknowledged", "resolved"), terminal_id, limit=30
        )
        commands = queries.commands(session, terminal_id, 20)
        events = queries.events(session, terminal_id, 20)
    series = [
        ("cpu", "cpu_pct", 100.0, "%"),
        ("mem", "mem_pct", 100.0, "%"),
        ("disk", "disk_free_pct", 100.0, "%"),
        ("outbox", "outbox_pending", None, ""),
    ]
    charts = [
        line_chart([(p["ts"], p[key]) for p in points], t(label), top, unit, zone)
        for label, key, top, unit in series
    ]
    return _render(
        request,
        "terminal.html",
        staff,
        term=row,
        charts=charts,
        alerts=alerts,
        commands=commands,
        events=events,
        # Commands without arguments share one form; the others have a form each.
        command_names=[
            c.value for c in CommandName if staff.may_command(c.value) and c not in FORM_FIELDS
        ],
        arg_commands=[c.value for c in FORM_FIELDS if staff.may_command(c.value)],
        log_levels=LOG_LEVELS,
        message_max=DAY_MESSAGE_MAX,
        error=error if error in COMMAND_ERRORS else None,
    )


#: Argument problems the terminal page explains (texts ``e_<code>``).
COMMAND_ERRORS = frozenset({"message_too_long", "bad_message", "bad_level", "no_args"})


@router.post("/terminal/{terminal_id}/command")
def command(
    request: Request,
    terminal_id: str,
    name: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    message_ar: Annotated[str, Form(max_length=4 * DAY_MESSAGE_MAX)] = "",
    message_fr: Annotated[str, Form(max_length=4 * DAY_MESSAGE_MAX)] = "",
    level: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    staff = _staff(request)
    _check_form(request, csrf)
    svc = service_of(request)
    try:
        command_name = CommandName(name)
    except ValueError:
        raise HTTPException(422, f"unknown command {name!r}") from None
    fields = {"message_ar": message_ar, "message_fr": message_fr, "level": level}
    try:
        args = check_args(command_name, from_form(command_name, fields))
    except ArgsError as exc:
        query = urlencode({"error": exc.code})
        return RedirectResponse(f"/terminal/{terminal_id}?{query}#commands", status_code=303)
    try:
        actions.issue_command(svc.sessions, svc.runtime, staff, terminal_id, name, args)
    except (actions.ForbiddenError, actions.NotFoundError, actions.InvalidError) as exc:
        raise HTTPException(
            403 if isinstance(exc, actions.ForbiddenError) else 422, str(exc)
        ) from None
    return RedirectResponse(f"/terminal/{terminal_id}#commands", status_code=303)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, state: str = "open,acknowledged") -> HTMLResponse:
    staff = _staff(request)
    with service_of(request).sessions() as session:
        rows = queries.alerts(session, staff, tuple(state.split(",")))
    return _render(request, "alerts.html", staff, alerts=rows, state=state)


@router.post("/alerts/{alert_id}/ack")
def ack(request: Request, alert_id: int, csrf: Annotated[str, Form()]) -> Response:
    staff = _staff(request)
    _check_form(request, csrf)
    try:
        actions.acknowledge_alert(service_of(request).sessions, staff, alert_id)
    except (actions.ForbiddenError, actions.NotFoundError) as exc:
        raise HTTPException(403, str(exc)) from None
    return RedirectResponse(request.headers.get("referer") or "/alerts", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login(request: Request, error: str | None = None) -> HTMLResponse:
    settings = service_of(request).settings
    return _render(
        request,
        "login.html",
        None,
        error=error if error in REASONS else ("token" if error else None),
        login_url=settings.auth_login_url,
        with_password=bool(settings.records_url),
    )


@router.post("/login")
def login_post(
    request: Request,
    token: Annotated[str | None, Form()] = None,
    username: Annotated[str | None, Form()] = None,
    password: Annotated[str | None, Form()] = None,
    totp_code: Annotated[str | None, Form()] = None,
    lang: Annotated[str | None, Form()] = None,
) -> Response:
    svc = service_of(request)
    if svc.verifier is None:
        return RedirectResponse("/", status_code=303)
    try:
        if username and password and svc.settings.records_url:
            token = records_token(svc.settings.records_url, username, password, totp_code)
        if not token:
            raise AuthError("sign-in needed", "needed")
        svc.verifier.verify(token)
    except AuthError as exc:
        reason = exc.code if exc.code in REASONS else "token"
        # The refusal is explained in the language the form was shown in.
        query = {"error": reason, **({"lang": lang} if lang in LANGUAGES else {})}
        return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=svc.settings.mode == "production",
        max_age=12 * 3600,
    )
    return response


@router.get("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
