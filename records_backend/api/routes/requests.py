"""Document requests: submission, staff work on them, receipts, code blocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from protocol.qr import QrError, ReceiptQr
from records_backend.api.deps import Caller, Db, State, current_principal
from records_backend.api.problems import PROBLEM_RESPONSES
from records_backend.api.state import AppState
from records_backend.db.models import DocRequest
from records_backend.domain.errors import DomainError
from records_backend.domain.requests import RequestState
from records_backend.security.ratelimit import client_address
from records_backend.services import codes
from records_backend.services import requests as svc
from records_backend.services.acts import reference
from records_backend.services.requests import SubmissionIn

router = APIRouter(prefix="/api/v1", tags=["requests"], responses=PROBLEM_RESPONSES)


class ReceiptOut(BaseModel):
    id: int
    code: str
    #: The receipt's second factor (absent when the terminal made it itself).
    secret: str | None
    state: str
    fee_due_dirhams: int
    pickup_office: str
    expires_at: datetime


class EventOut(BaseModel):
    from_state: str | None
    to_state: str
    at: datetime
    actor: str
    note: str | None


class RequestOut(BaseModel):
    id: int
    code: str
    act_reference: str
    document: str
    copies: int
    pickup_office: str
    channel: str
    requester_name: str
    requester_relation: str
    state: str
    fee_due_dirhams: int
    fee_collected: bool
    submitted_at: datetime
    expires_at: datetime
    decision_reason: str | None
    events: list[EventOut]


class StatusOut(BaseModel):
    """What a receipt holder may learn: nothing about the person or the act."""

    code: str
    state: str
    document: str
    copies: int
    pickup_office: str
    fee_due_dirhams: int
    updated_at: datetime


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: RequestState
    reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]
        | None
    ) = None


class ReceiptIn(BaseModel):
    """A receipt as typed (code + secret) or as scanned (the QR text)."""

    model_config = ConfigDict(extra="forbid")
    code: Annotated[str, StringConstraints(max_length=32)] | None = None
    secret: Annotated[str, StringConstraints(max_length=32)] | None = None
    qr: Annotated[str, StringConstraints(max_length=64)] | None = None

    def parts(self) -> tuple[str, str]:
        if self.qr is not None:
            try:
                parsed = ReceiptQr.parse(self.qr)
            except QrError:
                raise DomainError("lookup_failed") from None
            return str(parsed.code), parsed.secret
        if self.code is None or self.secret is None:
            raise DomainError("invalid_input", "give the code and its secret, or the QR text")
        return self.code, self.secret


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int = Field(ge=1, le=10_000)


class BlockOut(BaseModel):
    office: str
    year: int
    first: int
    last: int
    first_code: str
    last_code: str


def _office(session: Session, office_id: int) -> str:
    return svc.office_code_of(session, office_id)


def request_out(session: Session, req: DocRequest) -> RequestOut:
    return RequestOut(
        id=req.id,
        code=req.code,
        act_reference=reference(session, svc.act_of(session, req)),
        document=req.document,
        copies=req.copies,
        pickup_office=_office(session, req.pickup_office_id),
        channel=req.channel,
        requester_name=req.requester_name,
        requester_relation=req.requester_relation,
        state=req.state,
        fee_due_dirhams=req.fee_due_dirhams,
        fee_collected=req.fee_collected,
        submitted_at=req.submitted_at,
        expires_at=req.expires_at,
        decision_reason=req.decision_reason,
        events=[
            EventOut(
                from_state=e.from_state, to_state=e.to_state, at=e.at, actor=e.actor, note=e.note
            )
            for e in svc.events(session, req.id)
        ],
    )


@router.post(
    "/requests",
    status_code=201,
    summary="Submit a document request (idempotent)",
    responses={200: {"description": "A repeated submission: the first result"}},
)
async def submit(
    body: SubmissionIn, request: Request, response: Response, state: State, session: Db
) -> ReceiptOut:
    # Authentication, the submission and its commit share one thread-pool hop.
    return await run_in_threadpool(_submit, body, request, response, state, session)


def _submit(
    body: SubmissionIn, request: Request, response: Response, state: AppState, session: Session
) -> ReceiptOut:
    caller = current_principal(request, state, session)
    services = state.request_services
    try:
        receipt = svc.submit(session, services, caller, body)
        session.commit()
    except IntegrityError:
        # The same key raced in from another connection: answer with the winner's result.
        session.rollback()
        receipt = svc.submit(session, services, caller, body)
        if not receipt.replayed:
            raise
    if receipt.replayed:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    req = receipt.request
    return ReceiptOut(
        id=req.id,
        code=req.code,
        secret=receipt.secret,
        state=req.state,
        fee_due_dirhams=req.fee_due_dirhams,
        pickup_office=_office(session, req.pickup_office_id),
        expires_at=req.expires_at,
    )


@router.get("/requests", summary="An office's requests (paginated, audited)")
def list_requests(
    caller: Caller,
    session: Db,
    office: Annotated[str, Query(pattern=r"^[0-9A-HJKMNP-TV-Y]{2,6}$")],
    state: RequestState | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RequestOut]:
    rows = svc.list_for_office(session, caller, office, state, offset, limit)
    out = [request_out(session, r) for r in rows]
    session.commit()
    return out


@router.get("/requests/{request_id}", summary="One request with its history (audited)")
def read_request(request_id: int, caller: Caller, session: Db) -> RequestOut:
    req = svc.read(session, caller, request_id)
    out = request_out(session, req)
    session.commit()
    return out


@router.post("/requests/{request_id}/transitions", summary="Move a request to its next state")
def transition(
    request_id: int, body: TransitionIn, caller: Caller, state: State, session: Db
) -> RequestOut:
    req = svc.transition(session, caller, request_id, body.to, body.reason)
    session.commit()
    if body.to is RequestState.READY:
        state.events.request_ready(_office(session, req.pickup_office_id), req.code)
    return request_out(session, req)


@router.post("/requests/{request_id}/fee", summary="Record that the stamp duty was paid")
def collect_fee(request_id: int, caller: Caller, session: Db) -> RequestOut:
    req = svc.collect_fee(session, caller, request_id)
    session.commit()
    return request_out(session, req)


@router.post("/requests/lookup", summary="Staff: open a request from its receipt (code + secret)")
def staff_lookup(body: ReceiptIn, caller: Caller, session: Db) -> RequestOut:
    code, secret = body.parts()
    req = svc.staff_lookup(session, caller, code, secret)
    out = request_out(session, req)
    session.commit()
    return out


@router.post("/public/request-status", summary="Anyone holding the receipt: the request's state")
def public_status(body: ReceiptIn, session: Db, state: State, request: Request) -> StatusOut:
    peer = request.client.host if request.client else None
    who = client_address(
        peer, request.headers.get("x-forwarded-for"), state.settings.trusted_proxies
    )
    if not state.public_limiter.allow(who):
        # Guessing receipt secrets must stay slow even though 31^8 of them exist.
        raise DomainError("rate_limited", "too many public look-ups from this address")
    code, secret = body.parts()
    req = svc.find_with_secret(session, code, secret)
    return StatusOut(
        code=req.code,
        state=req.state,
        document=req.document,
        copies=req.copies,
        pickup_office=_office(session, req.pickup_office_id),
        fee_due_dirhams=req.fee_due_dirhams,
        updated_at=req.updated_at,
    )


@router.post("/codes/blocks", status_code=201, summary="Terminal: reserve a block of request codes")
def reserve_block(body: BlockIn, caller: Caller, state: State, session: Db) -> BlockOut:
    if caller.kind != "terminal":
        raise DomainError("forbidden_role", "only terminals reserve code blocks")
    if body.size > state.settings.max_code_block:
        raise DomainError("invalid_input", f"at most {state.settings.max_code_block} codes at once")
    block = codes.reserve_block(session, caller, body.size, datetime.now(UTC).year)
    session.commit()
    return BlockOut(
        office=block.office,
        year=block.year,
        first=block.first,
        last=block.last,
        first_code=str(block.code(0)),
        last_code=str(block.code(len(block) - 1)),
    )
