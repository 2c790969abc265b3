"""The citizen portal: no account; a request code and its secret are the only keys."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select

from protocol.codes import RequestCode
from protocol.qr import ReceiptQr
from records_backend.api.deps import Db
from records_backend.db.models import Office
from records_backend.domain.errors import DomainError
from records_backend.domain.requests import DocumentKind, Relation
from records_backend.services.requests import SubmissionIn
from records_backend.web.context import Form, RateLimitedError, Web, WebState, render, request_lang
from records_backend.web.i18n import translate
from records_backend.web.qrsvg import qr_svg
from records_backend.web.services import portal as portal_service

router = APIRouter(prefix="/portal", include_in_schema=False)

_ERRORS = {"not_found": "portal.not_found", "not_eligible": "portal.not_eligible"}


def _limit(request: Request, web: WebState) -> None:
    if not web.limiter.allow(request.state.client_ip):
        raise RateLimitedError


def _form_page(
    request: Request, web: WebState, session: Db, status: int = 200, **values: Any
) -> HTMLResponse:
    offices = list(session.scalars(select(Office).order_by(Office.code)))
    defaults: dict[str, object] = {"idem": secrets.token_urlsafe(18), "v": {}, "error": None}
    defaults.update(values)
    return render(
        request,
        web,
        "portal.html",
        status=status,
        offices=offices,
        documents=[d.value for d in DocumentKind],
        relations=[r.value for r in Relation],
        **defaults,
    )


@router.get("", response_class=HTMLResponse)
def portal_page(request: Request, web: Web, session: Db) -> HTMLResponse:
    return _form_page(request, web, session)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.post("/request", response_class=HTMLResponse)
def portal_submit(request: Request, web: Web, session: Db, form: Form) -> HTMLResponse:
    _limit(request, web)
    lang = request_lang(request)
    values = dict(form.values)
    values.pop("csrf", None)
    ref_text = form.get("reference")

    def again(key: str, status: int) -> HTMLResponse:
        return _form_page(
            request,
            web,
            session,
            status,
            v=values,
            idem=form.get("idem"),
            error=translate(lang, key),
        )

    event_date = _date(form.get("event_date"))
    if event_date is None:
        return again("portal.invalid", 422)
    # Eligibility first, from what the citizen typed alone: the answer must not depend on
    # whether the act exists.
    eligible = portal_service.eligible(
        web.records.rules, form.get("document"), form.get("relation"), form.get("by"), ref_text
    )
    if eligible is None:
        return again("portal.invalid", 422)
    if not eligible:
        return again("portal.not_eligible", 403)
    if form.get("by") == "name":
        ref: str | None = portal_service.reference_by_name(
            session,
            form.get("family"),
            form.get("given"),
            event_date,
            form.opt("father"),
            form.opt("mother"),
        )
        if ref is None or not form.get("family") or not form.get("given"):
            return again("portal.not_found", 404)
    else:
        ref = form.get("reference")
    try:
        sub = SubmissionIn(
            idempotency_key=form.get("idem"),
            act_reference=ref,
            event_date=event_date,
            document=form.get("document"),
            copies=int(form.get("copies") or "1"),
            pickup_office=form.get("pickup"),
            requester_name=form.get("requester"),
            requester_relation=form.get("relation"),
        )
    except (ValidationError, ValueError):
        return again("portal.invalid", 422)
    principal = portal_service.portal_principal(request.state.client_ip)
    try:
        receipt = portal_service.submit(session, web.records.request_services, principal, sub)
    except DomainError as exc:
        session.rollback()
        if exc.code in _ERRORS:
            return again(_ERRORS[exc.code], exc.status)
        if exc.code in ("invalid_input", "office_unknown"):
            return again(
                "portal.not_found" if exc.code == "invalid_input" else "portal.invalid", 422
            )
        raise
    session.commit()
    req = receipt.request
    secret = receipt.secret or ""
    qr_text = ReceiptQr(RequestCode.parse(req.code), secret).encode()
    pickup = session.get(Office, req.pickup_office_id)
    return render(
        request,
        web,
        "portal_done.html",
        req=req,
        secret=secret,
        pickup=pickup,
        qr=qr_svg(qr_text, translate(lang, "portal.qr")),
    )


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request, web: Web) -> HTMLResponse:
    return render(request, web, "portal_status.html", req=None, code="")


@router.post("/status", response_class=HTMLResponse)
def status_check(request: Request, web: Web, session: Db, form: Form) -> HTMLResponse:
    _limit(request, web)
    lang = request_lang(request)
    try:
        req = portal_service.status(session, form.get("code"), form.get("secret"))
    except DomainError:
        return render(
            request,
            web,
            "portal_status.html",
            status=404,
            req=None,
            code=form.get("code"),
            error=translate(lang, "scan.unknown"),
        )
    pickup = session.get(Office, req.pickup_office_id)
    return render(request, web, "portal_status.html", req=req, pickup=pickup, code=req.code)
