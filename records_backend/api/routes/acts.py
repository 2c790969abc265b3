"""Acts: keying, resolution, reading, history and marginal notes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from records_backend.api.deps import Caller, Db, State, current_principal
from records_backend.api.problems import PROBLEM_RESPONSES
from records_backend.api.state import AppState
from records_backend.db.engine import statement_transactions
from records_backend.db.models import Act, MarginalNote
from records_backend.domain.acts import ActFields, ActKind, ActStatus, SourceKind
from records_backend.domain.errors import DomainError
from records_backend.domain.hijri import propose_hijri
from records_backend.domain.notes import NoteInput, apply_changes
from records_backend.domain.roles import Permission
from records_backend.services import acts as svc
from records_backend.services import duplicates as dup_svc
from records_backend.services import notes as notes_svc
from records_backend.services import scans as scan_svc
from records_backend.services import search as search_svc
from records_backend.services.principal import Principal

router = APIRouter(prefix="/api/v1/acts", tags=["acts"], responses=PROBLEM_RESPONSES)


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    office: str = Field(pattern=r"^[0-9A-HJKMNP-TV-Y]{2,6}$")
    kind: ActKind
    source: SourceKind
    fields: ActFields


class NoteOut(BaseModel):
    id: int
    kind: str
    note_date: date
    authority_kind: str
    authority_name: str
    authority_reference: str
    text_ar: str
    text_fr: str
    changes: dict[str, Any]
    recorded_at: datetime
    validated: bool


class ActOut(BaseModel):
    id: int
    reference: str
    kind: str
    status: str
    source: str
    scan_sha256: str | None
    #: As registered (hidden from everyone but the first keyer until the second keying).
    fields: dict[str, Any] | None
    #: As it reads today, with validated corrections applied.
    current: dict[str, Any] | None
    notes: list[NoteOut]
    mismatches: list[str] = []
    #: Acts that may be the same person (shown when an act is keyed).
    possible_duplicates: list[int] = []


class DuplicateOut(BaseModel):
    id: int
    reference: str
    status: str
    reasons: list[str]
    #: The candidate's registered fields, to be shown beside the act being keyed.
    fields: dict[str, Any]


class DuplicatesOut(BaseModel):
    act: dict[str, Any]
    candidates: list[DuplicateOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    same_person: bool
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=400)]


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any] = Field(min_length=1, max_length=len(ActFields.model_fields))


class EventOut(BaseModel):
    at: datetime
    event: str
    actor_id: int | None
    detail: dict[str, Any]


class QueueItem(BaseModel):
    id: int
    reference: str
    source_page: int | None
    scan_sha256: str | None


def note_out(n: MarginalNote) -> NoteOut:
    return NoteOut(
        id=n.id,
        kind=n.kind,
        note_date=n.note_date,
        authority_kind=n.authority_kind,
        authority_name=n.authority_name,
        authority_reference=n.authority_reference,
        text_ar=n.text_ar,
        text_fr=n.text_fr,
        changes=n.changes,
        recorded_at=n.recorded_at,
        validated=n.validated_at is not None,
    )


def act_out(
    session: Session,
    act: Act,
    caller: Principal,
    mismatches: list[str] | None = None,
    notes: list[MarginalNote] | None = None,
) -> ActOut:
    registered = act.status == ActStatus.REGISTERED.value
    # The second keying is blind: nobody but the first keyer sees a draft's content.
    visible = registered or (caller.user_id is not None and act.created_by_id == caller.user_id)
    as_keyed = svc.act_fields(act) if visible or registered else None
    fields = as_keyed.model_dump(mode="json") if as_keyed is not None and visible else None
    if not registered:
        notes = []
    elif notes is None:
        notes = svc.notes_of(session, act.id)
    current = None
    if registered and as_keyed is not None:
        changes = [n.changes for n in notes if n.validated_at is not None and n.changes]
        # Most acts carry no correction: then the act reads as keyed, already dumped.
        current = (
            apply_changes(as_keyed, changes).model_dump(mode="json")
            if changes
            else fields or as_keyed.model_dump(mode="json")
        )
    return ActOut(
        id=act.id,
        reference=svc.reference(session, act),
        kind=act.kind,
        status=act.status,
        source=act.source_kind,
        scan_sha256=act.scan_sha256,
        fields=fields,
        current=current,
        notes=[note_out(n) for n in notes],
        mismatches=mismatches or [],
    )


@router.post("", status_code=201, summary="Key a new act (first keying: creates a draft)")
def create_draft(body: DraftIn, caller: Caller, session: Db) -> ActOut:
    act = svc.create_draft(session, caller, body.office, body.kind, body.source, body.fields)
    found = dup_svc.candidates(session, act)
    session.commit()
    out = act_out(session, act, caller)
    out.possible_duplicates = [c.act.id for c in found]
    return out


class HijriOut(BaseModel):
    gregorian: date
    #: None outside the calendar library's range (before 1924): key it as written.
    hijri: str | None


@router.get("/hijri", summary="The Hijri date proposed for a Gregorian one (adjustable)")
def hijri(caller: Caller, gregorian: date) -> HijriOut:
    caller.require(Permission.ACTS_KEY)
    return HijriOut(gregorian=gregorian, hijri=propose_hijri(gregorian))


@router.get("/queue", summary="Drafts waiting for this officer's blind second keying")
def queue(
    caller: Caller, session: Db, office: str = Query(pattern=r"^[0-9A-HJKMNP-TV-Y]{2,6}$")
) -> list[QueueItem]:
    rows = svc.keying_queue(session, caller, office)
    return [
        QueueItem(
            id=a.id,
            reference=svc.reference(session, a),
            source_page=a.source_page,
            scan_sha256=a.scan_sha256,
        )
        for a in rows
    ]


class SearchHit(BaseModel):
    """A match; a kiosk gets the reference and kind only, staff get the names too."""

    reference: str
    kind: str
    id: int | None = None
    given_name_ar: str | None = None
    family_name_ar: str | None = None
    given_name_lat: str | None = None
    family_name_lat: str | None = None
    given_name_tfng: str | None = None
    family_name_tfng: str | None = None
    sex: str | None = None
    event_date: date | None = None
    father_name_ar: str | None = None
    mother_name_ar: str | None = None


class SearchPage(BaseModel):
    page: int
    page_size: int
    has_more: bool
    items: list[SearchHit]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


@router.get(
    "/search", summary="Find registered acts by name (Arabic, Latin or Tifinagh), date, parents"
)
def search(
    caller: Caller,
    session: Db,
    family: Name,
    given: Name | None = None,
    birth_date: date | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    father: Name | None = None,
    mother: Name | None = None,
    kind: ActKind | None = None,
    office: Annotated[str | None, Query(pattern=r"^[0-9A-HJKMNP-TV-Y]{2,6}$")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=search_svc.MAX_PAGE_SIZE)] = 20,
) -> SearchPage:
    query = search_svc.NameQuery(family, given, birth_date, year, father, mother, kind, office)
    rows, more = search_svc.search(session, caller, query, page, page_size)
    staff = Permission.ACTS_READ in caller.permissions
    items = [
        SearchHit(
            reference=svc.reference(session, a),
            kind=a.kind,
            id=a.id,
            given_name_ar=a.given_name_ar,
            family_name_ar=a.family_name_ar,
            given_name_lat=a.given_name_lat,
            family_name_lat=a.family_name_lat,
            given_name_tfng=a.given_name_tfng,
            family_name_tfng=a.family_name_tfng,
            sex=a.sex,
            event_date=a.event_date,
            father_name_ar=a.father_name_ar,
            mother_name_ar=a.mother_name_ar,
        )
        if staff
        else SearchHit(reference=svc.reference(session, a), kind=a.kind)
        for a in rows
    ]
    session.commit()
    return SearchPage(page=page, page_size=page_size, has_more=more, items=items)


@router.get("/by-reference/{reference}", summary="Look an act up by its reference")
async def by_reference(reference: str, request: Request, state: State, session: Db) -> ActOut:
    # The busiest staff read: authentication and the read share one thread-pool hop.
    return await run_in_threadpool(_by_reference, reference, request, state, session)


def _by_reference(reference: str, request: Request, state: AppState, session: Session) -> ActOut:
    statement_transactions(session)
    caller = current_principal(request, state, session)
    caller.require(Permission.ACTS_READ)
    if len(reference) > 40:
        raise DomainError("invalid_input", "reference too long")
    found = svc.find_with_notes(session, reference)
    if found is None:
        raise DomainError("not_found", reference)
    act = svc.read_act(session, caller, found[0])
    out = act_out(session, act, caller, notes=found[1])
    session.commit()
    return out


@router.get("/{act_id}", summary="Read an act with its marginal notes (audited)")
def read(act_id: int, caller: Caller, session: Db) -> ActOut:
    act = svc.read_act(session, caller, act_id)
    out = act_out(session, act, caller)
    session.commit()
    return out


@router.post(
    "/{act_id}/second-keying", summary="Key the act again, blind; registers it on agreement"
)
def second_keying(act_id: int, fields: ActFields, caller: Caller, session: Db) -> ActOut:
    outcome = svc.second_keying(session, caller, act_id, fields)
    session.commit()
    return act_out(session, outcome.act, caller, outcome.mismatches)


@router.get("/{act_id}/mismatches", summary="Both keyings of each disagreeing field")
def mismatches(act_id: int, caller: Caller, session: Db) -> dict[str, dict[str, Any]]:
    view = svc.mismatch_view(session, caller, act_id)
    return view


@router.get("/{act_id}/duplicates", summary="Likely duplicates, side by side with the act")
def duplicates(act_id: int, caller: Caller, session: Db) -> DuplicatesOut:
    act, found = dup_svc.for_act(session, caller, act_id)
    out = DuplicatesOut(
        act=svc.act_fields(act).model_dump(mode="json"),
        candidates=[
            DuplicateOut(
                id=c.act.id,
                reference=svc.reference(session, c.act),
                status=c.act.status,
                reasons=c.reasons,
                fields=svc.act_fields(c.act).model_dump(mode="json"),
            )
            for c in found
        ],
    )
    session.commit()
    return out


@router.post(
    "/{act_id}/duplicates/{other_id}/decision",
    summary="Same person or not; a duplicate draft is withdrawn",
)
def decide_duplicate(
    act_id: int, other_id: int, body: DecisionIn, caller: Caller, session: Db
) -> ActOut:
    act = dup_svc.decide(session, caller, act_id, other_id, body.same_person, body.note)
    session.commit()
    return act_out(session, act, caller)


@router.post("/{act_id}/resolve", summary="Settle every disagreeing field and register the act")
def resolve(act_id: int, body: ResolveIn, caller: Caller, session: Db) -> ActOut:
    act = svc.resolve(session, caller, act_id, body.values)
    session.commit()
    return act_out(session, act, caller)


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.put(
    "/{act_id}/scan",
    summary="Attach the register page scan (PNG, JPEG, TIFF or PDF, raw request body)",
    openapi_extra={"requestBody": {"content": {"application/octet-stream": {}}, "required": True}},
)
def put_scan(
    act_id: int,
    caller: Caller,
    state: State,
    session: Db,
    data: Annotated[bytes, Depends(raw_body)],
) -> ActOut:
    act = scan_svc.attach(session, caller, state.settings.data_dir, act_id, data)
    session.commit()
    return act_out(session, act, caller)


@router.get("/{act_id}/scan", summary="The register page scan (audited)", response_class=Response)
def get_scan(act_id: int, caller: Caller, state: State, session: Db) -> Response:
    data, media = scan_svc.read(session, caller, state.settings.data_dir, act_id)
    session.commit()
    return Response(data, media_type=media, headers={"Cache-Control": "no-store"})


@router.get("/{act_id}/history", summary="Every step of the act's life, in order")
def history(act_id: int, caller: Caller, session: Db) -> list[EventOut]:
    events = svc.history(session, caller, act_id)
    session.commit()
    return [EventOut(at=e.at, event=e.event, actor_id=e.actor_id, detail=e.detail) for e in events]


@router.post("/{act_id}/notes", status_code=201, summary="Record a marginal note (to be validated)")
def add_note(act_id: int, body: NoteInput, caller: Caller, session: Db) -> NoteOut:
    note = notes_svc.add_note(session, caller, act_id, body)
    session.commit()
    return note_out(note)


@router.post("/{act_id}/notes/{note_id}/validate", summary="Validate a note (another officer)")
def validate_note(act_id: int, note_id: int, caller: Caller, session: Db) -> NoteOut:
    note = notes_svc.validate_note(session, caller, act_id, note_id)
    session.commit()
    return note_out(note)
