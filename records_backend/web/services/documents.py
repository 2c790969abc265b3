"""From a registered act to a signed, printed document (records → documents package).

The documents package reads only its own ``DocumentContent``; this is the mapping from the
registry's rows, and the keyring the web process signs with.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.db.models import Act, DocRequest, Office, User, UserOffice
from records_backend.db.models import MarginalNote as NoteRow
from records_backend.documents.issue import IssuedDocument, issue_document
from records_backend.documents.keyring import Keyring
from records_backend.documents.model import (
    ActReference,
    Bilingual,
    DocumentContent,
    DocumentKind,
    HijriDate,
    MarginalNote,
    NoteKind,
    OfficeHeader,
    Officer,
    ParentName,
    PersonName,
    Sex,
)
from records_backend.domain.roles import Role
from records_backend.services.acts import current_fields, notes_of

_SERIAL_LETTER = {"full_copy": "F", "extract": "E", "individual_sheet": "S"}


def keyring(directory: Path, *, create: bool) -> Keyring:
    """The signing keyring; a development set-up makes its first key itself."""
    ring = Keyring(directory)
    if ring.active() is None and create:
        ring.generate()
    return ring


def _hijri(text: str | None) -> HijriDate | None:
    if not text:
        return None
    year, month, day = (int(p) for p in text.split("-"))
    try:
        return HijriDate(day=day, month=month, year=year)
    except ValueError:
        return None


def _parent(ar: str | None, lat: str | None) -> ParentName | None:
    if not ar and not lat:
        return None
    return ParentName(ar=ar or lat or "", lat=lat or ar or "")


def _notes(rows: list[NoteRow]) -> tuple[MarginalNote, ...]:
    return tuple(
        MarginalNote(
            kind=NoteKind(n.kind),
            note_date=n.note_date,
            authority=Bilingual(ar=n.authority_name, fr=n.authority_name),
            reference=n.authority_reference,
            text=Bilingual(ar=n.text_ar, fr=n.text_fr),
        )
        for n in rows
        if n.validated_at is not None
    )


def issuing_officer(session: Session, office_id: int, fallback: str) -> str:
    """The office head, else an officer, of the issuing office: documents are issued under
    an officer's authority even when a clerk prints them."""
    rows = session.execute(
        select(User.full_name, User.roles)
        .join(UserOffice, UserOffice.user_id == User.id)
        .where(UserOffice.office_id == office_id, User.active)
        .order_by(User.id)
    ).all()
    for wanted in (Role.OFFICE_HEAD.value, Role.OFFICER.value):
        for name, roles in rows:
            if wanted in roles:
                return str(name)
    return fallback


def serial_for(req: DocRequest, office_code: str, year: int) -> str:
    return f"{office_code}-{year}-{_SERIAL_LETTER[req.document]}{req.id:06d}"


def content_for(
    session: Session, req: DocRequest, act: Act, officer_name: str, today: date
) -> DocumentContent:
    fields = current_fields(session, act)
    act_office = session.get(Office, act.office_id)
    pickup = session.get(Office, req.pickup_office_id)
    assert act_office is not None
    assert pickup is not None
    return DocumentContent(
        kind=DocumentKind(req.document),
        serial=serial_for(req, pickup.code, today.year),
        office=OfficeHeader(code=pickup.code, name=Bilingual(ar=pickup.name_ar, fr=pickup.name_fr)),
        act=ActReference(office_code=act_office.code, year=act.year, number=fields.number),
        person=PersonName(
            given_ar=fields.given_name_ar,
            family_ar=fields.family_name_ar,
            given_lat=fields.given_name_lat,
            family_lat=fields.family_name_lat,
        ),
        sex=Sex(fields.sex.value),
        birth_date=fields.event_date,
        birth_time=fields.event_time,
        birth_date_hijri=_hijri(fields.event_date_hijri),
        # Acts before the Latin place existed have the Arabic one only: shown on both halves.
        birth_place=Bilingual(
            ar=fields.event_place, fr=fields.event_place_lat or fields.event_place
        ),
        father=_parent(fields.father_name_ar, fields.father_name_lat),
        mother=_parent(fields.mother_name_ar, fields.mother_name_lat),
        marginal_notes=_notes(notes_of(session, act.id)),
        drawn_up_date=fields.drawn_up_date,
        officer=Officer(name=Bilingual(ar=officer_name, fr=officer_name)),
        issue_date=today,
        stamp_duty_mad=req.fee_due_dirhams,
    )


def issue_for_request(
    session: Session, req: DocRequest, act: Act, officer_name: str, ring: Keyring, today: date
) -> IssuedDocument:
    officer = issuing_officer(session, req.pickup_office_id, officer_name)
    return issue_document(content_for(session, req, act, officer, today), ring)


def office_code_of(session: Session, office_id: int) -> str:
    code = session.scalar(select(Office.code).where(Office.id == office_id))
    assert code is not None
    return code
