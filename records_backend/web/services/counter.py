"""The counter: the office's queue, printing, hand-over with the stamp duty, the cash report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import DocRequest
from records_backend.db.types import utcnow
from records_backend.documents.keyring import Keyring
from records_backend.domain.errors import DomainError
from records_backend.domain.requests import RequestState
from records_backend.domain.roles import Permission
from records_backend.services import requests as request_service
from records_backend.services.principal import Principal
from records_backend.web.models import Collection, IssuedDocument
from records_backend.web.services.documents import issue_for_request, office_code_of

#: Civil days (cash reports) follow Moroccan local time.
LOCAL_TZ = ZoneInfo("Africa/Casablanca")
OPEN_STATES = (
    RequestState.SUBMITTED,
    RequestState.APPROVED,
    RequestState.PRINTED,
    RequestState.READY,
)
#: A national identity card (one or two letters, digits) or a passport number.
_ID_RE = re.compile(r"^[A-Z]{1,2}[0-9]{3,8}$|^[A-Z0-9]{6,12}$")
_COUNTER_RE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


def valid_counter(label: str) -> bool:
    return bool(_COUNTER_RE.fullmatch(label))


def normalize_id_number(text: str) -> str | None:
    value = re.sub(r"[\s-]", "", text.upper())
    return value if _ID_RE.fullmatch(value) else None


def queue(session: Session, by: Principal, office: str) -> list[DocRequest]:
    rows: list[DocRequest] = []
    for state in OPEN_STATES:
        rows += request_service.list_for_office(session, by, office, state, 0, 200)
    return sorted(rows, key=lambda r: (r.submitted_at, r.id))


def print_document(
    session: Session, by: Principal, req_id: int, officer_name: str, ring: Keyring, today: date
) -> IssuedDocument:
    """Sign and render the document, then move the request to *printed*."""
    by.require(Permission.REQUESTS_DELIVER)
    req = request_service.read(session, by, req_id)
    if req.state != RequestState.APPROVED.value:
        # Let the backend's transition check produce the precise refusal.
        request_service.transition(session, by, req_id, RequestState.PRINTED)
    act = request_service.act_of(session, req)
    issued = issue_for_request(session, req, act, officer_name, ring, today)
    request_service.transition(session, by, req_id, RequestState.PRINTED)
    row = IssuedDocument(
        request_id=req.id,
        serial=issued.signed.claims.serial,
        short_code=issued.short_code,
        qr_text=issued.qr_text,
        pdf=issued.pdf,
        issued_by_id=by.user_id,
        issued_at=utcnow(),
    )
    session.add(row)
    append(
        session,
        by.actor,
        "document.issue",
        "request",
        req.id,
        office=office_code_of(session, req.pickup_office_id),
        detail={"serial": row.serial, "short_code": row.short_code},
    )
    return row


def issued_document(session: Session, by: Principal, req_id: int) -> IssuedDocument:
    req = request_service.read(session, by, req_id)
    row = session.scalar(
        select(IssuedDocument)
        .where(IssuedDocument.request_id == req.id)
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    )
    if row is None:
        raise DomainError("not_found", f"no document printed for request {req_id}")
    return row


def collect(
    session: Session,
    by: Principal,
    req_id: int,
    id_number: str,
    fee_received: int,
    counter: str,
) -> Collection:
    """Hand over: the duty is recorded, then the request is closed as collected."""
    by.require(Permission.REQUESTS_DELIVER)
    req = request_service.read(session, by, req_id)
    if req.state != RequestState.READY.value:
        request_service.transition(session, by, req_id, RequestState.COLLECTED)
    if fee_received != req.fee_due_dirhams:
        raise DomainError("invalid_input", "fee received differs from the fee due")
    request_service.collect_fee(session, by, req_id)
    request_service.transition(session, by, req_id, RequestState.COLLECTED)
    row = Collection(
        request_id=req.id,
        office_id=req.pickup_office_id,
        counter=counter,
        clerk_id=by.user_id,
        id_document_number=id_number,
        fee_dirhams=fee_received,
        collected_at=utcnow(),
    )
    session.add(row)
    append(
        session,
        by.actor,
        "request.handed_over",
        "request",
        req.id,
        office=office_code_of(session, req.pickup_office_id),
        detail={"counter": counter, "dirhams": fee_received},
    )
    return row


@dataclass(frozen=True, slots=True)
class CashLine:
    counter: str
    documents: int
    collected: int
    due: int

    @property
    def balanced(self) -> bool:
        return self.collected == self.due


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, LOCAL_TZ)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def cash_report(session: Session, by: Principal, office_id: int, day: date) -> list[CashLine]:
    """Per counter: documents handed over, duty recorded, and duty the requests said was due."""
    by.require(Permission.REQUESTS_DELIVER)
    by.require_office(office_id)
    start, end = local_day_bounds(day)
    rows = session.execute(
        select(Collection.counter, Collection.fee_dirhams, DocRequest.fee_due_dirhams)
        .join(DocRequest, DocRequest.id == Collection.request_id)
        .where(
            Collection.office_id == office_id,
            Collection.collected_at >= start,
            Collection.collected_at < end,
        )
    ).all()
    lines: dict[str, list[int]] = {}
    for counter, collected, due in rows:
        acc = lines.setdefault(counter, [0, 0, 0])
        acc[0] += 1
        acc[1] += collected
        acc[2] += due
    return [CashLine(c, n, got, due) for c, (n, got, due) in sorted(lines.items())]


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()
