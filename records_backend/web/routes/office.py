"""Officers' back-office: digitize, blind second keying, mismatches, notes, approvals."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from records_backend.api.deps import Db
from records_backend.db.models import Office, User
from records_backend.domain.acts import ActKind, SourceKind
from records_backend.domain.errors import DomainError
from records_backend.domain.notes import AuthorityKind, NoteInput, NoteKind
from records_backend.domain.requests import RequestState
from records_backend.domain.roles import Permission
from records_backend.services import acts as act_service
from records_backend.services import notes as note_service
from records_backend.services import requests as request_service
from records_backend.web.context import Form, Signed, Staff, Web, WebState, render
from records_backend.web.services import backoffice

router = APIRouter(prefix="/staff", include_in_schema=False)


def _office(session: Db, staff: Staff, code: str | None) -> Office:
    stmt = select(Office).order_by(Office.code)
    if staff.principal.office_ids is not None:
        stmt = stmt.where(Office.id.in_(sorted(staff.principal.office_ids)))
    offices = list(session.scalars(stmt))
    if not offices:
        raise DomainError("forbidden_office", "no office in scope")
    return next((o for o in offices if o.code == (code or "").upper()), offices[0])


@router.get("/office", response_class=HTMLResponse)
def dashboard(
    request: Request, web: Web, session: Db, staff: Signed, office: str | None = None
) -> HTMLResponse:
    staff.principal.require(Permission.ACTS_KEY)
    chosen = _office(session, staff, office)
    queue = act_service.keying_queue(session, staff.principal, chosen.code)
    mismatches = backoffice.mismatched_acts(session, staff.principal, chosen.id)
    approvals = request_service.list_for_office(
        session, staff.principal, chosen.code, RequestState.SUBMITTED, 0, 100
    )
    session.commit()
    return render(
        request,
        web,
        "office.html",
        staff=staff,
        office=chosen,
        queue=queue,
        mismatches=mismatches,
        approvals=approvals,
    )


@router.get("/office/find", response_model=None)
def find(session: Db, staff: Signed, reference: str = "") -> Response:
    staff.principal.require(Permission.ACTS_READ)
    act = act_service.find_by_reference(session, reference)
    if act is None or not staff.principal.can_see_office(act.office_id):
        raise DomainError("not_found", reference)
    return RedirectResponse(f"/staff/office/acts/{act.id}", status_code=303)


def _act_form(
    request: Request, web: WebState, staff: Staff, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    values.setdefault("v", {})
    values.setdefault("problems", [])
    return render(
        request,
        web,
        template,
        status=status,
        staff=staff,
        specs=backoffice.ACT_FORM,
        **values,
    )


@router.get("/office/acts/new", response_class=HTMLResponse)
def new_act(request: Request, web: Web, session: Db, staff: Signed) -> HTMLResponse:
    staff.principal.require(Permission.ACTS_KEY)
    office = _office(session, staff, request.query_params.get("office"))
    return _act_form(request, web, staff, "act_new.html", office=office, scan=None)


@router.post("/office/acts", response_model=None)
async def create_act(
    request: Request, web: Web, session: Db, staff: Signed, form: Form
) -> Response:
    # The scan upload is read here (async); the database work runs in a worker thread.
    upload = form.files.get("scan")
    data = await upload.read(backoffice.MAX_SCAN_BYTES + 1) if upload is not None else b""
    return await run_in_threadpool(_create_act, request, web, session, staff, form.values, data)


def _create_act(
    request: Request,
    web: WebState,
    session: Session,
    staff: Staff,
    values: dict[str, str],
    scan: bytes,
) -> Response:
    office = _office(session, staff, values.get("office"))
    fields, problems = backoffice.fields_from_form(values)
    digest: str | None = None
    if scan:
        if len(scan) > backoffice.MAX_SCAN_BYTES or backoffice.scan_kind(scan) is None:
            problems.append("scan: PNG or JPEG, at most 8 MB")
        else:
            digest = backoffice.store_scan(web.scans_dir, scan)
    if fields is None or problems:
        return _act_form(
            request,
            web,
            staff,
            "act_new.html",
            422,
            office=office,
            v=values,
            problems=problems,
            scan=None,
        )
    kind = ActKind.DEATH if values.get("kind") == "death" else ActKind.BIRTH
    act = act_service.create_draft(
        session, staff.principal, office.code, kind, SourceKind.REGISTER_PAGE, fields
    )
    act.scan_sha256 = digest
    session.commit()
    return RedirectResponse(f"/staff/office/acts/{act.id}?done=office.drafted", status_code=303)


@router.get("/office/acts/{act_id}/key", response_class=HTMLResponse)
def key_page(request: Request, web: Web, session: Db, staff: Signed, act_id: int) -> HTMLResponse:
    staff.principal.require(Permission.ACTS_KEY)
    act = act_service.load_act(session, staff.principal, act_id)
    # Blind: only the kind, the office and the scan are shown, never the first keying.
    return _act_form(request, web, staff, "act_key.html", act=act, scan=act.scan_sha256)


@router.post("/office/acts/{act_id}/key", response_model=None)
def second_keying(
    request: Request, web: Web, session: Db, staff: Signed, act_id: int, form: Form
) -> Response:
    fields, problems = backoffice.fields_from_form(form.values)
    if fields is None:
        act = act_service.load_act(session, staff.principal, act_id)
        return _act_form(
            request,
            web,
            staff,
            "act_key.html",
            422,
            act=act,
            scan=act.scan_sha256,
            v=form.values,
            problems=problems,
        )
    outcome = act_service.second_keying(session, staff.principal, act_id, fields)
    session.commit()
    if outcome.mismatches:
        return RedirectResponse(f"/staff/office/acts/{act_id}/resolve", status_code=303)
    return RedirectResponse(f"/staff/office/acts/{act_id}?done=office.registered", status_code=303)


@router.get("/office/acts/{act_id}/resolve", response_class=HTMLResponse)
def resolve_page(
    request: Request, web: Web, session: Db, staff: Signed, act_id: int
) -> HTMLResponse:
    act = act_service.load_act(session, staff.principal, act_id)
    diff = act_service.mismatch_view(session, staff.principal, act_id)
    return render(
        request, web, "act_resolve.html", staff=staff, act=act, diff=diff, scan=act.scan_sha256
    )


@router.post("/office/acts/{act_id}/resolve", response_model=None)
def resolve(session: Db, staff: Signed, act_id: int, form: Form) -> Response:
    diff = act_service.mismatch_view(session, staff.principal, act_id)
    chosen: dict[str, Any] = {}
    for name in diff:
        value = form.get(f"final_{name}")
        chosen[name] = value or None
    act_service.resolve(session, staff.principal, act_id, chosen)
    session.commit()
    return RedirectResponse(f"/staff/office/acts/{act_id}?done=office.registered", status_code=303)


@router.get("/office/acts/{act_id}", response_class=HTMLResponse)
def act_page(
    request: Request, web: Web, session: Db, staff: Signed, act_id: int, done: str = ""
) -> HTMLResponse:
    act = act_service.read_act(session, staff.principal, act_id)
    history = act_service.history(session, staff.principal, act_id)
    notes = act_service.notes_of(session, act_id)
    reference = act_service.reference(session, act)
    names = {u.id: u.username for u in session.scalars(select(User))}
    values = backoffice.form_values(act_service.current_fields(session, act))
    session.commit()
    flash = done if done.startswith("office.") else None
    return render(
        request,
        web,
        "act.html",
        staff=staff,
        act=act,
        reference=reference,
        history=history,
        notes=notes,
        names=names,
        values=values,
        specs=backoffice.ACT_FORM,
        note_kinds=[k.value for k in NoteKind],
        authority_kinds=[k.value for k in AuthorityKind],
        flash=flash,
        today=date.today().isoformat(),  # noqa: DTZ011  (a form default, local is right)
    )


@router.post("/office/acts/{act_id}/notes", response_model=None)
def add_note(
    request: Request, web: Web, session: Db, staff: Signed, act_id: int, form: Form
) -> Response:
    try:
        note = NoteInput.model_validate(
            {
                "kind": form.get("kind"),
                "note_date": form.get("note_date"),
                "authority_kind": form.get("authority_kind"),
                "authority_name": form.get("authority_name"),
                "authority_reference": form.get("authority_reference"),
                "text_ar": form.get("text_ar"),
                "text_fr": form.get("text_fr"),
                "changes": _changes(form.get("change_field"), form.get("change_value")),
            }
        )
    except ValidationError as exc:
        raise DomainError("note_invalid", str(exc.errors(include_url=False)[0]["msg"])) from None
    note_service.add_note(session, staff.principal, act_id, note)
    session.commit()
    return RedirectResponse(f"/staff/office/acts/{act_id}?done=office.note_added", status_code=303)


def _changes(field: str, value: str) -> dict[str, Any]:
    return {field: value} if field and value else {}


@router.post("/office/acts/{act_id}/notes/{note_id}/validate", response_model=None)
def validate_note(session: Db, staff: Signed, act_id: int, note_id: int, _form: Form) -> Response:
    note_service.validate_note(session, staff.principal, act_id, note_id)
    session.commit()
    return RedirectResponse(
        f"/staff/office/acts/{act_id}?done=office.note_validated", status_code=303
    )


@router.post("/office/requests/{req_id}/decide", response_model=None)
def decide(session: Db, staff: Signed, req_id: int, form: Form) -> Response:
    approve = form.get("decision") == "approve"
    target = RequestState.APPROVED if approve else RequestState.REJECTED
    request_service.transition(session, staff.principal, req_id, target, form.opt("reason"))
    session.commit()
    return RedirectResponse("/staff/office?done=office.decided", status_code=303)


@router.get("/scans/{digest}", response_model=None)
def scan(web: Web, session: Db, staff: Signed, digest: str) -> Response:
    path = backoffice.scan_path(web.scans_dir, digest)
    if path is None or not backoffice.scan_visible_to(session, staff.principal, digest):
        raise DomainError("not_found", "scan")
    kind = backoffice.scan_kind(path.read_bytes()[:4]) or "png"
    media = "image/png" if kind == "png" else "image/jpeg"
    return FileResponse(path, media_type=media)
