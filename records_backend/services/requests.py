"""Document requests: idempotent submission, codes, eligibility, transitions, look-ups."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, cast

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import Table, bindparam, insert, select, text
from sqlalchemy.orm import Session

from protocol.codes import CodeError, RequestCode, normalize_secret
from records_backend.audit.log import append
from records_backend.db.models import Act, DocRequest, RequestEvent
from records_backend.db.types import UTCDateTime, utcnow
from records_backend.domain.acts import ActStatus
from records_backend.domain.eligibility import Approval, RuleSet
from records_backend.domain.errors import DomainError
from records_backend.domain.requests import (
    MAX_COPIES,
    Channel,
    DocumentKind,
    Relation,
    RequestState,
    check_transition,
    fee_due,
)
from records_backend.domain.roles import Permission
from records_backend.services import codes
from records_backend.services.acts import reference_params
from records_backend.services.offices import office_by_code, office_code, office_id
from records_backend.services.principal import Principal

IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{8,80}$")]


class SubmissionIn(BaseModel):
    """What a kiosk, the counter or the portal sends. No personal data beyond the request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    idempotency_key: IdempotencyKey
    act_reference: Annotated[str, StringConstraints(min_length=8, max_length=40)]
    #: Date of the birth or death on the act: proves the requester knows the act.
    event_date: date
    document: DocumentKind
    copies: int = Field(default=1, ge=1, le=MAX_COPIES)
    pickup_office: Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Y]{2,6}$")]
    requester_name: Annotated[str, StringConstraints(min_length=2, max_length=120)]
    requester_relation: Relation
    #: A code from the terminal's reserved block, with the secret it printed (offline receipts).
    code: Annotated[str, StringConstraints(max_length=32)] | None = None
    secret: Annotated[str, StringConstraints(max_length=16)] | None = None

    def fingerprint(self) -> str:
        data = self.model_dump(mode="json", exclude={"idempotency_key"})
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Receipt:
    request: DocRequest
    #: The second factor; None when the terminal made it itself (it already has it).
    secret: str | None
    replayed: bool


@dataclass(frozen=True, slots=True)
class RequestServices:
    rules: RuleSet
    secret_key: bytes
    ttl: timedelta
    #: Codes leased in blocks outside the submission's transaction (PostgreSQL); None takes
    #: each code inside it (SQLite, whose writers are serialized anyway).
    sequences: codes.SequenceLeases | None = None


def _actor_channel(by: Principal) -> Channel:
    return Channel.KIOSK if by.kind == "terminal" else Channel.COUNTER


def _record(
    session: Session,
    req: DocRequest,
    from_state: str | None,
    to: RequestState,
    actor: str,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    now = at or utcnow()
    session.add(
        RequestEvent(
            request_id=req.id,
            from_state=from_state,
            to_state=to.value,
            at=now,
            actor=actor,
            note=note,
        )
    )
    req.state = to.value
    req.updated_at = now


def _replay(svc: RequestServices, req: DocRequest) -> Receipt:
    code = RequestCode.parse(req.code)
    derived = codes.derived_secret(svc.secret_key, code)
    own = codes.secret_digest(code, derived) == req.secret_sha256
    return Receipt(req, derived if own else None, replayed=True)


def submit(
    session: Session,
    svc: RequestServices,
    by: Principal,
    sub: SubmissionIn,
    channel: Channel | None = None,
) -> Receipt:
    """``channel`` names where the request came from when the caller knows better than its
    kind (the portal); by default a terminal's is the kiosk, anyone else's the counter."""
    by.require(Permission.REQUESTS_SUBMIT)
    channel = channel or _actor_channel(by)
    fingerprint = sub.fingerprint()
    # The id alone: a first submission (the common case) builds no ORM object for it.
    existing_id = session.scalar(_BY_IDEMPOTENCY_KEY, {"key": sub.idempotency_key})
    if existing_id is not None:
        existing = session.get_one(DocRequest, existing_id)
        # Another submitter's key is a conflict too: a replay hands out the receipt secret.
        if existing.payload_sha256 != fingerprint or existing.submitted_by != by.actor.label:
            raise DomainError("idempotency_conflict")
        return _replay(svc, existing)

    pickup_id = office_id(session, sub.pickup_office)
    if pickup_id is None:
        raise DomainError("office_unknown", sub.pickup_office)
    pickup_code = sub.pickup_office
    act = _act_for_request(session, sub.act_reference)
    # Same answer for "no such act" and "wrong date": the API is no oracle on acts.
    if act is None or act.status != ActStatus.REGISTERED.value or act.event_date != sub.event_date:
        raise DomainError("not_found", "no registered act matches this reference and date")
    approval = svc.rules.decide(sub.document, sub.requester_relation, act.kind)
    if approval is None:
        raise DomainError("not_eligible", f"{sub.requester_relation.value} → {sub.document.value}")

    now = utcnow()
    # Inserted in its final state: no UPDATE right after the INSERT.
    initial = RequestState.APPROVED if approval is Approval.AUTO else RequestState.SUBMITTED
    code, secret, returned = _code_for(session, svc, by, sub, pickup_code, now.year)
    # Core statements, not the unit of work: the busiest write of the system stays a few
    # round trips and little Python (the row is returned as a plain, session-less object).
    values = {
        "code": str(code),
        "secret_sha256": codes.secret_digest(code, secret),
        "idempotency_key": sub.idempotency_key,
        "payload_sha256": fingerprint,
        "act_id": act.id,
        "document": sub.document.value,
        "copies": sub.copies,
        "pickup_office_id": pickup_id,
        "channel": channel.value,
        "terminal_id": by.id if by.kind == "terminal" else None,
        "submitted_by": by.actor.label,
        "requester_name": sub.requester_name,
        "requester_relation": sub.requester_relation.value,
        "state": initial.value,
        "fee_due_dirhams": fee_due(sub.copies),
        "fee_collected": False,
        "submitted_at": now,
        "updated_at": now,
        "expires_at": now + svc.ttl,
    }
    request_id = session.execute(_INSERT_REQUEST, values).scalar_one()
    # One statement for the history: "submitted", and "approved" when the rules approve.
    history = _INSERT_APPROVED if approval is Approval.AUTO else _INSERT_SUBMITTED
    session.execute(history, {"request": request_id, "at": now, "actor": by.actor.label})
    # Last, with every other row already sent: the audit chain's lock is held for the
    # shortest time (lock and read the tail, one insert, commit).
    append(
        session,
        by.actor,
        "request.submit",
        "request",
        request_id,
        office=pickup_code,
        detail={
            "code": values["code"],
            "document": sub.document.value,
            "copies": sub.copies,
            "auto_approved": approval is Approval.AUTO,
            "channel": channel.value,
        },
    )
    return Receipt(DocRequest(id=request_id, decision_reason=None, **values), returned, False)


# On the tables, not the mapped classes: no ORM bulk-insert machinery, and one compiled
# statement reused with each submission's parameters.
_INSERT_REQUEST = insert(cast(Table, DocRequest.__table__)).returning(DocRequest.id)
# The history of a new request in one statement: "submitted", and "approved" when the rules
# approve. Text, because SQLAlchemy does not cache a multi-row VALUES built with bound
# parameters and would compile it again for every submission.
_SUBMITTED, _APPROVED = RequestState.SUBMITTED.value, RequestState.APPROVED.value
_SUBMITTED_VALUES = f"(:request, NULL, '{_SUBMITTED}', :at, :actor, NULL)"
_HISTORY_INSERT = "INSERT INTO request_events (request_id, from_state, to_state, at, actor, note) "
_INSERT_SUBMITTED = text(_HISTORY_INSERT + "VALUES " + _SUBMITTED_VALUES).bindparams(
    bindparam("at", type_=UTCDateTime())
)
_INSERT_APPROVED = text(
    _HISTORY_INSERT
    + "VALUES "
    + _SUBMITTED_VALUES
    + f", (:request, '{_SUBMITTED}', '{_APPROVED}', :at, 'system', 'eligibility rules')"
).bindparams(bindparam("at", type_=UTCDateTime()))


@dataclass(frozen=True, slots=True)
class _ActKey:
    id: int
    status: str
    kind: str
    event_date: date


# Built once: every submission runs it, and a prebuilt statement skips rebuilding the
# expression and its cache key.
_ACT_FOR_REQUEST = select(Act.id, Act.status, Act.kind, Act.event_date).where(
    Act.office_id == bindparam("office"),
    Act.year == bindparam("year"),
    Act.kind == bindparam("kind"),
    Act.number == bindparam("number"),
)


_BY_IDEMPOTENCY_KEY = select(DocRequest.id).where(DocRequest.idempotency_key == bindparam("key"))


def _act_for_request(session: Session, ref: str) -> _ActKey | None:
    """The few columns a submission needs of the act it names (not the whole row)."""
    params = reference_params(session, ref)
    if params is None:
        return None
    row = session.execute(_ACT_FOR_REQUEST, params).first()
    return None if row is None else _ActKey(row.id, row.status, row.kind, row.event_date)


def _code_for(
    session: Session, svc: RequestServices, by: Principal, sub: SubmissionIn, office: str, year: int
) -> tuple[RequestCode, str, str | None]:
    """(code, secret, secret to return). Terminals may bring a code from their block."""
    if sub.code is None:
        if sub.secret is not None:
            raise DomainError("invalid_input", "a secret comes with a code")
        leases = svc.sequences
        code = leases.next_code(office, year) if leases else codes.next_code(session, office, year)
        secret = codes.derived_secret(svc.secret_key, code)
        return code, secret, secret
    if by.kind != "terminal" or by.id is None or sub.secret is None:
        raise DomainError(
            "code_not_reserved", "only a terminal brings its own code, with its secret"
        )
    try:
        code = RequestCode.parse(sub.code)
    except CodeError as exc:
        raise DomainError("code_invalid", str(exc)) from None
    secret = normalize_secret(sub.secret)
    if not 6 <= len(secret) <= 16:
        raise DomainError("invalid_input", "receipt secret has 6 to 16 characters")
    if not codes.reserved_by(session, by.id, code):
        raise DomainError("code_not_reserved", str(code))
    if session.scalar(select(DocRequest.id).where(DocRequest.code == str(code))) is not None:
        raise DomainError("code_used", str(code))
    return code, secret, None


_NEEDS: dict[RequestState, Permission] = {
    RequestState.APPROVED: Permission.REQUESTS_DECIDE,
    RequestState.REJECTED: Permission.REQUESTS_DECIDE,
    RequestState.EXPIRED: Permission.REQUESTS_DECIDE,
    RequestState.PRINTED: Permission.REQUESTS_DELIVER,
    RequestState.READY: Permission.REQUESTS_DELIVER,
    RequestState.COLLECTED: Permission.REQUESTS_DELIVER,
}


def _load(
    session: Session, by: Principal, request_id: int, *, for_update: bool = False
) -> DocRequest:
    stmt = select(DocRequest).where(DocRequest.id == request_id)
    if for_update:
        stmt = stmt.with_for_update()
    req = session.scalar(stmt)
    if req is None:
        raise DomainError("not_found", f"request {request_id}")
    by.require_office(req.pickup_office_id)
    return req


def office_code_of(session: Session, office_id: int) -> str:
    return office_code(session, office_id)


def transition(
    session: Session,
    by: Principal,
    request_id: int,
    target: RequestState,
    reason: str | None = None,
) -> DocRequest:
    by.require(_NEEDS.get(target, Permission.REQUESTS_DECIDE))
    req = _load(session, by, request_id, for_update=True)
    current = RequestState(req.state)
    check_transition(current, target)
    if target is RequestState.REJECTED and not reason:
        raise DomainError("invalid_input", "a rejection needs its reason")
    if target is RequestState.COLLECTED and not req.fee_collected:
        raise DomainError("fee_not_collected")
    if target in (RequestState.REJECTED, RequestState.APPROVED) and reason:
        req.decision_reason = reason
    _record(session, req, current.value, target, by.actor.label, reason)
    append(
        session,
        by.actor,
        f"request.{target.value}",
        "request",
        req.id,
        office=office_code_of(session, req.pickup_office_id),
        detail={"from": current.value, "reason": reason} if reason else {"from": current.value},
    )
    return req


def collect_fee(session: Session, by: Principal, request_id: int) -> DocRequest:
    by.require(Permission.REQUESTS_DELIVER)
    req = _load(session, by, request_id, for_update=True)
    if req.state in (
        RequestState.REJECTED.value,
        RequestState.EXPIRED.value,
        RequestState.COLLECTED.value,
    ):
        raise DomainError("illegal_transition", f"no fee is collected on a {req.state} request")
    if not req.fee_collected:
        req.fee_collected = True
        append(
            session,
            by.actor,
            "request.fee_collected",
            "request",
            req.id,
            office=office_code_of(session, req.pickup_office_id),
            detail={"dirhams": req.fee_due_dirhams},
        )
    return req


def read(session: Session, by: Principal, request_id: int) -> DocRequest:
    by.require(Permission.REQUESTS_READ)
    req = _load(session, by, request_id)
    append(
        session,
        by.actor,
        "request.read",
        "request",
        req.id,
        office=office_code_of(session, req.pickup_office_id),
    )
    return req


def events(session: Session, request_id: int) -> list[RequestEvent]:
    return list(
        session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .order_by(RequestEvent.id)
        )
    )


def find_with_secret(session: Session, code_text: str, secret_text: str) -> DocRequest:
    """The request behind a receipt: the code and its secret, or nothing at all."""
    try:
        code = RequestCode.parse(code_text)
    except CodeError:
        raise DomainError("lookup_failed") from None
    req = session.scalar(select(DocRequest).where(DocRequest.code == str(code)))
    secret = normalize_secret(secret_text)
    if req is None or not hmac.compare_digest(req.secret_sha256, codes.secret_digest(code, secret)):
        raise DomainError("lookup_failed")
    return req


def staff_lookup(session: Session, by: Principal, code_text: str, secret_text: str) -> DocRequest:
    by.require(Permission.REQUESTS_READ)
    req = find_with_secret(session, code_text, secret_text)
    by.require_office(req.pickup_office_id)
    append(
        session,
        by.actor,
        "request.read",
        "request",
        req.id,
        office=office_code_of(session, req.pickup_office_id),
        detail={"via": "receipt"},
    )
    return req


def list_for_office(
    session: Session,
    by: Principal,
    office: str,
    state: RequestState | None,
    offset: int,
    limit: int,
) -> list[DocRequest]:
    by.require(Permission.REQUESTS_READ)
    off = office_by_code(session, office)
    by.require_office(off.id)
    stmt = select(DocRequest).where(DocRequest.pickup_office_id == off.id)
    if state is not None:
        stmt = stmt.where(DocRequest.state == state.value)
    rows = list(session.scalars(stmt.order_by(DocRequest.id).offset(offset).limit(limit)))
    append(
        session,
        by.actor,
        "request.list",
        "office",
        off.code,
        office=off.code,
        detail={"ids": [r.id for r in rows]},
    )
    return rows


def expire_overdue(session: Session, now: datetime) -> int:
    """Requests past their date that nobody collected; returns how many expired."""
    open_states = [
        s.value for s in (RequestState.SUBMITTED, RequestState.APPROVED, RequestState.READY)
    ]
    # Locked, so a clerk handing one over at this instant is not overwritten; a row a clerk
    # holds is skipped and, if still open, expires at the next run.
    rows = list(
        session.scalars(
            select(DocRequest)
            .where(DocRequest.state.in_(open_states), DocRequest.expires_at < now)
            .with_for_update(skip_locked=True)
        )
    )
    actor = Principal.system().actor
    for req in rows:
        previous = req.state
        _record(session, req, previous, RequestState.EXPIRED, "system", "past expiry date")
        append(
            session,
            actor,
            "request.expired",
            "request",
            req.id,
            office=office_code_of(session, req.pickup_office_id),
            detail={"from": previous},
        )
    return len(rows)


def act_of(session: Session, req: DocRequest) -> Act:
    act = session.get(Act, req.act_id)
    assert act is not None
    return act
