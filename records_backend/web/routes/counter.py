"""The clerk's counter page: queue, scan, print, ready, hand-over, and the cash report."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from records_backend.api.deps import Db
from records_backend.db.models import DocRequest, Office
from records_backend.domain.errors import DomainError
from records_backend.domain.requests import RequestState
from records_backend.domain.roles import Permission
from records_backend.services import acts as act_service
from records_backend.services import requests as request_service
from records_backend.web import security
from records_backend.web.context import (
    Form,
    Signed,
    Staff,
    Web,
    WebState,
    render,
    request_lang,
    set_cookie_later,
)
from records_backend.web.i18n import translate
from records_backend.web.scanning import read_scan
from records_backend.web.services import counter as counter_service
from records_backend.web.services.documents import keyring
from records_backend.web.services.printing import send_to_printer

router = APIRouter(prefix="/staff/counter", include_in_schema=False)

_SCAN_ERRORS = {"lookup_failed": "scan.unknown", "forbidden_office": "scan.foreign"}


def _offices(session: Db, staff: Staff) -> list[Office]:
    stmt = select(Office).order_by(Office.code)
    ids = staff.principal.office_ids
    if ids is not None:
        stmt = stmt.where(Office.id.in_(sorted(ids)))
    return list(session.scalars(stmt))


def _chosen_office(session: Db, staff: Staff, code: str | None) -> Office:
    offices = _offices(session, staff)
    if not offices:
        raise DomainError("forbidden_office", "no office in scope")
    for office in offices:
        if office.code == (code or "").upper():
            return office
    return offices[0]


def _counter_page(
    request: Request,
    web: WebState,
    session: Db,
    staff: Staff,
    office_code: str | None,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    staff.principal.require(Permission.REQUESTS_DELIVER)
    office = _chosen_office(session, staff, office_code)
    rows = counter_service.queue(session, staff.principal, office.code)
    session.commit()
    return render(
        request,
        web,
        "counter.html",
        status=status,
        staff=staff,
        office=office,
        offices=_offices(session, staff),
        queue=rows,
        counter=request.cookies.get(security.COUNTER_COOKIE, ""),
        **values,
    )


@router.get("", response_class=HTMLResponse)
def counter_page(
    request: Request, web: Web, session: Db, staff: Signed, office: str | None = None
) -> HTMLResponse:
    return _counter_page(request, web, session, staff, office, scan="")


@router.post("/desk", response_model=None)
def choose_counter(request: Request, staff: Signed, form: Form) -> Response:
    label = form.get("counter")
    if counter_service.valid_counter(label):
        set_cookie_later(request, security.COUNTER_COOKIE, label, 365 * 86400)
    return RedirectResponse("/staff/counter", status_code=303)


@router.post("/open", response_model=None)
def open_request(request: Request, web: Web, session: Db, staff: Signed, form: Form) -> Response:
    lang = request_lang(request)
    scan = read_scan(form.get("scan"), form.get("secret"))
    office = form.opt("office")
    if scan.error is not None:
        return _counter_page(
            request, web, session, staff, office, 422, error=translate(lang, scan.error), scan=""
        )
    assert scan.code is not None
    if scan.secret is None:
        return _counter_page(
            request,
            web,
            session,
            staff,
            office,
            422,
            error=translate(lang, "scan.need_secret"),
            scan=scan.code,
            ask_secret=True,
        )
    try:
        req = request_service.staff_lookup(session, staff.principal, scan.code, scan.secret)
    except DomainError as exc:
        session.rollback()
        key = _SCAN_ERRORS.get(exc.code)
        if key is None:
            raise
        return _counter_page(
            request, web, session, staff, office, exc.status, error=translate(lang, key), scan=""
        )
    session.commit()
    return RedirectResponse(f"/staff/counter/requests/{req.id}", status_code=303)


def _request_page(
    request: Request, web: WebState, session: Db, staff: Staff, req_id: int, **values: Any
) -> HTMLResponse:
    req = request_service.read(session, staff.principal, req_id)
    act = act_service.read_act(session, staff.principal, req.act_id)
    reference = act_service.reference(session, act)
    events = request_service.events(session, req.id)
    pickup = session.get(Office, req.pickup_office_id)
    session.commit()
    return render(
        request,
        web,
        "counter_request.html",
        staff=staff,
        req=req,
        act=act,
        reference=reference,
        events=events,
        pickup=pickup,
        **values,
    )


@router.get("/requests/{req_id}", response_class=HTMLResponse)
def request_page(
    request: Request, web: Web, session: Db, staff: Signed, req_id: int, done: str = ""
) -> HTMLResponse:
    shown = ("counter.printed_ok", "counter.ready_ok", "counter.collected_ok")
    flash = done if done in shown else None
    lang = request_lang(request)
    error = translate(lang, done) if done == "counter.print_failed" else None
    return _request_page(request, web, session, staff, req_id, flash=flash, error=error)


def _back(req_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/staff/counter/requests/{req_id}?done={done}", status_code=303)


@router.post("/requests/{req_id}/print", response_model=None)
def print_request(
    request: Request, web: Web, session: Db, staff: Signed, req_id: int, _form: Form
) -> Response:
    ring = keyring(web.keys_dir, create=web.settings.mode == "development")
    row = counter_service.print_document(
        session,
        staff.principal,
        req_id,
        staff.user.full_name,
        ring,
        counter_service.local_today(),
    )
    session.commit()
    command = web.settings.print_command
    if command and not send_to_printer(command, row.pdf):
        return _back(req_id, "counter.print_failed")
    return _back(req_id, "counter.printed_ok")


@router.get("/requests/{req_id}/document.pdf", response_model=None)
def document_pdf(web: Web, session: Db, staff: Signed, req_id: int) -> Response:
    row = counter_service.issued_document(session, staff.principal, req_id)
    session.commit()
    return Response(
        row.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{row.serial}.pdf"'},
    )


@router.post("/requests/{req_id}/ready", response_model=None)
def mark_ready(session: Db, staff: Signed, req_id: int, _form: Form) -> Response:
    request_service.transition(session, staff.principal, req_id, RequestState.READY)
    session.commit()
    return _back(req_id, "counter.ready_ok")


@router.post("/requests/{req_id}/collect", response_model=None)
def collect(
    request: Request, web: Web, session: Db, staff: Signed, req_id: int, form: Form
) -> Response:
    lang = request_lang(request)
    id_number = counter_service.normalize_id_number(form.get("id_number"))
    error: str | None = None
    if form.get("id_checked") != "yes":
        error = "counter.must_check"
    elif id_number is None:
        error = "counter.bad_id"
    else:
        try:
            fee = int(form.get("fee"))
        except ValueError:
            fee = -1
        req = session.get(DocRequest, req_id)
        if req is None or fee != req.fee_due_dirhams:
            error = "counter.bad_fee"
    if error is not None:
        response = _request_page(request, web, session, staff, req_id, error=translate(lang, error))
        response.status_code = 422
        return response
    assert id_number is not None
    counter = request.cookies.get(security.COUNTER_COOKIE, "")
    counter = counter if counter_service.valid_counter(counter) else "-"
    counter_service.collect(session, staff.principal, req_id, id_number, fee, counter)
    session.commit()
    return _back(req_id, "counter.collected_ok")


@router.get("/cash", response_class=HTMLResponse)
def cash(
    request: Request,
    web: Web,
    session: Db,
    staff: Signed,
    day: date | None = None,
    office: str | None = None,
) -> HTMLResponse:
    staff.principal.require(Permission.REQUESTS_DELIVER)
    chosen = _chosen_office(session, staff, office)
    day = day or counter_service.local_today()
    lines = counter_service.cash_report(session, staff.principal, chosen.id, day)
    return render(
        request,
        web,
        "cash.html",
        staff=staff,
        office=chosen,
        offices=_offices(session, staff),
        day=day,
        lines=lines,
        total_docs=sum(x.documents for x in lines),
        total_collected=sum(x.collected for x in lines),
        total_due=sum(x.due for x in lines),
    )
