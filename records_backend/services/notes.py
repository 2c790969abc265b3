"""Marginal notes: recorded by one officer, validated by another."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import ActEvent, MarginalNote
from records_backend.db.types import utcnow
from records_backend.domain.acts import ActStatus
from records_backend.domain.errors import DomainError
from records_backend.domain.notes import NoteInput, apply_changes
from records_backend.domain.roles import Permission
from records_backend.services.acts import current_fields, load_act
from records_backend.services.offices import office_code
from records_backend.services.principal import Principal


def add_note(session: Session, by: Principal, act_id: int, note: NoteInput) -> MarginalNote:
    by.require(Permission.NOTES_RECORD)
    act = load_act(session, by, act_id, for_update=True)
    if act.status != ActStatus.REGISTERED.value:
        raise DomainError("act_not_registered")
    if note.changes:
        try:
            apply_changes(current_fields(session, act), [note.changes])
        except ValidationError as exc:
            raise DomainError(
                "note_invalid", str(exc.errors(include_url=False)[0]["msg"])
            ) from None
    row = MarginalNote(
        act_id=act.id,
        kind=note.kind.value,
        note_date=note.note_date,
        authority_kind=note.authority_kind.value,
        authority_name=note.authority_name,
        authority_reference=note.authority_reference,
        text_ar=note.text_ar,
        text_fr=note.text_fr,
        changes=note.model_dump(mode="json")["changes"],
        recorded_by_id=by.user_id,
        recorded_at=utcnow(),
    )
    session.add(row)
    session.flush()
    session.add(
        ActEvent(
            act_id=act.id,
            at=utcnow(),
            actor_id=by.user_id,
            event="note_added",
            detail={"note_id": row.id, "kind": row.kind, "validated": False},
        )
    )
    append(
        session,
        by.actor,
        "note.add",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={
            "note": row.id,
            "kind": row.kind,
            "authority": row.authority_reference,
            "changes": sorted(row.changes),
        },
    )
    return row


def validate_note(session: Session, by: Principal, act_id: int, note_id: int) -> MarginalNote:
    by.require(Permission.NOTES_VALIDATE)
    act = load_act(session, by, act_id, for_update=True)
    note = session.get(MarginalNote, note_id)
    if note is None or note.act_id != act.id:
        raise DomainError("not_found", f"note {note_id}")
    if note.validated_at is not None:
        raise DomainError("note_validated")
    if note.recorded_by_id == by.user_id:
        raise DomainError("same_validator")
    if note.changes:
        # Re-check against the act as it reads now: another correction may have landed.
        try:
            apply_changes(current_fields(session, act), [note.changes])
        except ValidationError as exc:
            raise DomainError(
                "note_invalid", str(exc.errors(include_url=False)[0]["msg"])
            ) from None
    note.validated_by_id = by.user_id
    note.validated_at = utcnow()
    session.add(
        ActEvent(
            act_id=act.id,
            at=utcnow(),
            actor_id=by.user_id,
            event="note_validated",
            detail={"note_id": note.id, "kind": note.kind},
        )
    )
    append(
        session,
        by.actor,
        "note.validate",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"note": note.id},
    )
    return note
