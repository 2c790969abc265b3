"""Acts: draft, blind second keying, comparison, resolution, registration, reading."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from records_backend.audit.log import append
from records_backend.db.models import Act, ActEvent, ActKeying, MarginalNote, OfficeNotice
from records_backend.db.types import utcnow
from records_backend.domain.acts import (
    ActFields,
    ActKind,
    ActStatus,
    SourceKind,
    compare_keyings,
    parse_reference,
    reference_of,
)
from records_backend.domain.errors import DomainError
from records_backend.domain.hijri import propose_hijri
from records_backend.domain.names import latin_key, normalize_arabic, normalize_tifinagh
from records_backend.domain.notes import AuthorityKind, NoteKind, apply_changes
from records_backend.domain.roles import Permission
from records_backend.services.offices import office_by_code, office_code, office_id, register_for
from records_backend.services.principal import Principal

ROUND_FIRST, ROUND_SECOND, ROUND_RESOLUTION = 1, 2, 3


def act_fields(act: Act) -> ActFields:
    return ActFields.model_validate({name: getattr(act, name) for name in ActFields.model_fields})


def _fill(act: Act, fields: ActFields) -> None:
    for name in ActFields.model_fields:
        setattr(act, name, getattr(fields, name))
    set_search_keys(act)


def set_search_keys(act: Act) -> None:
    for column, value in search_keys({n: getattr(act, n) for n in ActFields.model_fields}).items():
        setattr(act, column, value)


def search_keys(fields: Mapping[str, Any]) -> dict[str, str | None]:
    """The derived, indexed search columns of an act, from its keyed fields (the one place
    that computes them: keying, import and demo data all go through here)."""
    given_tfng, family_tfng = fields.get("given_name_tfng"), fields.get("family_name_tfng")
    return {
        "given_key_ar": normalize_arabic(fields["given_name_ar"]),
        "family_key_ar": normalize_arabic(fields["family_name_ar"]),
        "given_key_lat": latin_key(fields["given_name_lat"]),
        "family_key_lat": latin_key(fields["family_name_lat"]),
        "given_key_tfng": normalize_tifinagh(given_tfng) if given_tfng else None,
        "family_key_tfng": normalize_tifinagh(family_tfng) if family_tfng else None,
        "father_key": parent_key(fields.get("father_name_ar"), fields.get("father_name_lat")),
        "mother_key": parent_key(fields.get("mother_name_ar"), fields.get("mother_name_lat")),
    }


def parent_key(name_ar: str | None, name_lat: str | None) -> str | None:
    """Both scripts in one column (``ar|lat``) so one substring match serves either."""
    if not name_ar and not name_lat:
        return None
    ar = normalize_arabic(name_ar) if name_ar else ""
    lat = latin_key(name_lat) if name_lat else ""
    return f"{ar}|{lat}"


def _event(session: Session, act: Act, by: Principal, event: str, **detail: Any) -> None:
    session.add(
        ActEvent(act_id=act.id, at=utcnow(), actor_id=by.user_id, event=event, detail=detail)
    )


def reference(session: Session, act: Act) -> str:
    return reference_of(
        office_code(session, act.office_id), act.year, ActKind(act.kind), act.number
    )


def _check_free(
    session: Session, office_id: int, year: int, kind: str, number: int, not_id: int | None
) -> None:
    existing = session.scalar(
        select(Act.id).where(
            Act.office_id == office_id, Act.year == year, Act.kind == kind, Act.number == number
        )
    )
    if existing is not None and existing != not_id:
        raise DomainError("act_exists", f"act {number} of {year} already exists")


def create_draft(
    session: Session,
    by: Principal,
    office: str,
    kind: ActKind,
    source: SourceKind,
    fields: ActFields,
) -> Act:
    """The first keying. Born-digital acts get the Hijri date proposed when none is given."""
    by.require(Permission.ACTS_KEY)
    off = office_by_code(session, office)
    by.require_office(off.id)
    if source is SourceKind.REGISTER_PAGE and fields.source_page is None:
        raise DomainError("invalid_input", "a digitized act needs its register page number")
    if source is SourceKind.BORN_DIGITAL:
        fields = with_proposed_hijri(fields)
    year = fields.drawn_up_date.year
    _check_free(session, off.id, year, kind.value, fields.number, None)
    reg = register_for(session, off.id, year, kind.value)
    act = Act(
        office_id=off.id,
        register_id=reg.id,
        year=year,
        kind=kind.value,
        status=ActStatus.AWAITING_SECOND_KEYING.value,
        source_kind=source.value,
        created_by_id=by.user_id,
        created_at=utcnow(),
    )
    _fill(act, fields)
    session.add(act)
    session.flush()
    session.add(
        ActKeying(
            act_id=act.id,
            round=ROUND_FIRST,
            keyed_by_id=by.user_id,
            keyed_at=utcnow(),
            data=fields.model_dump(mode="json"),
        )
    )
    _event(session, act, by, "drafted", source=source.value)
    append(
        session,
        by.actor,
        "act.draft",
        "act",
        act.id,
        office=off.code,
        detail={"reference": reference(session, act)},
    )
    return act


def with_proposed_hijri(fields: ActFields) -> ActFields:
    """Born-digital acts: the Hijri dates left blank get the computed ones (the officer may
    key others instead; digitized acts keep exactly what the register says)."""
    updates: dict[str, Any] = {}
    if fields.event_date_hijri is None:
        updates["event_date_hijri"] = propose_hijri(fields.event_date)
    if fields.drawn_up_date_hijri is None:
        updates["drawn_up_date_hijri"] = propose_hijri(fields.drawn_up_date)
    return fields.model_copy(update=updates) if updates else fields


def _keying(session: Session, act_id: int, round_: int) -> ActKeying | None:
    return session.scalar(
        select(ActKeying).where(ActKeying.act_id == act_id, ActKeying.round == round_)
    )


def load_act(session: Session, by: Principal, act_id: int, *, for_update: bool = False) -> Act:
    stmt = select(Act).where(Act.id == act_id)
    if for_update:
        stmt = stmt.with_for_update()
    act = session.scalar(stmt)
    if act is None:
        raise DomainError("not_found", f"act {act_id}")
    by.require_office(act.office_id)
    return act


@dataclass
class KeyingOutcome:
    act: Act
    mismatches: list[str] = field(default_factory=list)


def second_keying(session: Session, by: Principal, act_id: int, fields: ActFields) -> KeyingOutcome:
    """The blind second keying; registers the act when both keyings agree."""
    by.require(Permission.ACTS_KEY)
    act = load_act(session, by, act_id, for_update=True)
    if act.status != ActStatus.AWAITING_SECOND_KEYING.value:
        raise DomainError("act_not_in_keying", act.status)
    first = _keying(session, act.id, ROUND_FIRST)
    assert first is not None
    if first.keyed_by_id == by.user_id:
        raise DomainError("same_keyer")
    if act.source_kind == SourceKind.BORN_DIGITAL.value:
        fields = with_proposed_hijri(fields)
    session.add(
        ActKeying(
            act_id=act.id,
            round=ROUND_SECOND,
            keyed_by_id=by.user_id,
            keyed_at=utcnow(),
            data=fields.model_dump(mode="json"),
        )
    )
    first_fields = ActFields.model_validate(first.data)
    mismatches = compare_keyings(first_fields, fields)
    if mismatches:
        act.status = ActStatus.MISMATCH.value
        _event(session, act, by, "second_keying", mismatches=mismatches)
        append(
            session,
            by.actor,
            "act.second_keying",
            "act",
            act.id,
            office=office_code(session, act.office_id),
            detail={"mismatches": mismatches},
        )
        return KeyingOutcome(act, mismatches)
    _event(session, act, by, "second_keying", mismatches=[])
    append(
        session,
        by.actor,
        "act.second_keying",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"mismatches": []},
    )
    _register(session, by, act, first_fields)
    return KeyingOutcome(act)


def mismatch_view(session: Session, by: Principal, act_id: int) -> dict[str, dict[str, Any]]:
    """Field by field: what each keying said, for the fields where they disagree."""
    by.require(Permission.ACTS_KEY)
    act = load_act(session, by, act_id)
    if act.status != ActStatus.MISMATCH.value:
        raise DomainError("no_mismatch")
    first, second = _keying(session, act.id, ROUND_FIRST), _keying(session, act.id, ROUND_SECOND)
    assert first is not None
    assert second is not None
    a, b = ActFields.model_validate(first.data), ActFields.model_validate(second.data)
    return {
        name: {"first": first.data.get(name), "second": second.data.get(name)}
        for name in compare_keyings(a, b)
    }


def resolve(session: Session, by: Principal, act_id: int, values: dict[str, Any]) -> Act:
    """An officer settles every disagreeing field; the act is then registered."""
    by.require(Permission.ACTS_KEY)
    act = load_act(session, by, act_id, for_update=True)
    if act.status != ActStatus.MISMATCH.value:
        raise DomainError("no_mismatch")
    mismatched = set(mismatch_view(session, by, act_id))
    missing, extra = mismatched - set(values), set(values) - mismatched
    if missing or extra:
        raise DomainError(
            "resolution_incomplete", missing=sorted(missing), unexpected=sorted(extra)
        )
    first = _keying(session, act.id, ROUND_FIRST)
    assert first is not None
    try:
        final = ActFields.model_validate({**first.data, **values})
    except ValidationError as exc:
        raise DomainError("invalid_input", str(exc.errors(include_url=False)[0]["msg"])) from None
    session.add(
        ActKeying(
            act_id=act.id,
            round=ROUND_RESOLUTION,
            keyed_by_id=by.user_id,
            keyed_at=utcnow(),
            data=final.model_dump(mode="json"),
        )
    )
    _event(session, act, by, "resolved", fields=sorted(values))
    append(
        session,
        by.actor,
        "act.resolve",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"fields": sorted(values)},
    )
    _register(session, by, act, final)
    return act


def _register(session: Session, by: Principal, act: Act, fields: ActFields) -> None:
    if fields.number != act.number:
        _check_free(session, act.office_id, act.year, act.kind, fields.number, act.id)
    _fill(act, fields)
    act.status = ActStatus.REGISTERED.value
    act.registered_by_id = by.user_id
    act.registered_at = utcnow()
    reg = register_for(session, act.office_id, act.year, act.kind)
    reg.last_number = max(reg.last_number, act.number)
    session.flush()
    ref = reference(session, act)
    _event(session, act, by, "registered", reference=ref)
    append(
        session,
        by.actor,
        "act.register",
        "act",
        act.id,
        office=office_code(session, act.office_id),
        detail={"reference": ref},
    )
    if act.kind == ActKind.DEATH.value and act.birth_act_reference:
        _link_death(session, by, act, ref)


# The busiest reads are built once: SQLAlchemy then skips building the expression and its
# cache key on every call and goes straight to the compiled statement.
_BY_REFERENCE = select(Act).where(
    Act.office_id == bindparam("office"),
    Act.year == bindparam("year"),
    Act.kind == bindparam("kind"),
    Act.number == bindparam("number"),
)
# An act and its notes in one round trip (most acts have none: one row, notes NULL).
_BY_REFERENCE_WITH_NOTES = (
    select(Act, MarginalNote)
    .outerjoin(MarginalNote, MarginalNote.act_id == Act.id)
    .where(
        Act.office_id == bindparam("office"),
        Act.year == bindparam("year"),
        Act.kind == bindparam("kind"),
        Act.number == bindparam("number"),
    )
    .order_by(MarginalNote.id)
)
_NOTES_OF = (
    select(MarginalNote).where(MarginalNote.act_id == bindparam("act")).order_by(MarginalNote.id)
)


def reference_params(session: Session, ref: str) -> dict[str, object] | None:
    """Bind parameters (office, year, kind, number) of a reference; None for an unknown office."""
    try:
        office, year, kind, number = parse_reference(ref)
    except ValueError as exc:
        raise DomainError("invalid_input", str(exc)) from None
    oid = office_id(session, office)
    if oid is None:
        return None
    return {"office": oid, "year": year, "kind": kind.value, "number": number}


def find_by_reference(session: Session, ref: str) -> Act | None:
    params = reference_params(session, ref)
    return None if params is None else session.scalar(_BY_REFERENCE, params)


def find_with_notes(session: Session, ref: str) -> tuple[Act, list[MarginalNote]] | None:
    """The act a reference names and its marginal notes in order, in one query."""
    params = reference_params(session, ref)
    if params is None:
        return None
    rows = session.execute(_BY_REFERENCE_WITH_NOTES, params).all()
    if not rows:
        return None
    return rows[0][0], [note for _act, note in rows if note is not None]


def _link_death(session: Session, by: Principal, death: Act, death_ref: str) -> None:
    """Put the death note on the birth act, or tell the office that keeps it."""
    assert death.birth_act_reference is not None
    birth = find_by_reference(session, death.birth_act_reference)
    if birth is None or birth.kind != ActKind.BIRTH.value:
        return
    death.birth_act_id = birth.id
    if birth.office_id != death.office_id or birth.status != ActStatus.REGISTERED.value:
        session.add(
            OfficeNotice(
                to_office_id=birth.office_id,
                from_office_id=death.office_id,
                kind="death_registered",
                act_id=death.id,
                target_act_id=birth.id,
                created_at=utcnow(),
            )
        )
        append(
            session,
            by.actor,
            "notice.send",
            "act",
            birth.id,
            office=office_code(session, birth.office_id),
            detail={"death_act": death_ref},
        )
        return
    now = utcnow()
    note = MarginalNote(
        act_id=birth.id,
        kind=NoteKind.DEATH.value,
        note_date=death.event_date,
        authority_kind=AuthorityKind.DEATH_ACT.value,
        authority_name=office_code(session, death.office_id),
        authority_reference=death_ref,
        text_ar=f"توفي(ت) بتاريخ {death.event_date.isoformat()} بمقتضى الرسم {death_ref}",
        text_fr=f"Décédé(e) le {death.event_date.isoformat()}, acte de décès {death_ref}",
        changes={},
        recorded_by_id=by.user_id,
        recorded_at=now,
        validated_by_id=by.user_id,
        validated_at=now,
    )
    session.add(note)
    session.flush()
    _event(session, birth, by, "note_added", note_id=note.id, kind=note.kind, validated=True)
    append(
        session,
        by.actor,
        "note.add",
        "act",
        birth.id,
        office=office_code(session, birth.office_id),
        detail={"note": note.id, "kind": note.kind, "from_death_act": death_ref},
    )


def notes_of(session: Session, act_id: int) -> list[MarginalNote]:
    return list(session.scalars(_NOTES_OF, {"act": act_id}))


def current_fields(
    session: Session, act: Act, notes: list[MarginalNote] | None = None
) -> ActFields:
    """The act as it reads today: registered text plus validated corrections, in order."""
    if notes is None:
        notes = notes_of(session, act.id)
    changes = [n.changes for n in notes if n.validated_at is not None and n.changes]
    return apply_changes(act_fields(act), changes)


def read_act(session: Session, by: Principal, act_id: int | Act) -> Act:
    """A staff read of a citizen's act: scoped, and written to the audit log."""
    by.require(Permission.ACTS_READ)
    if isinstance(act_id, Act):
        act = act_id
        by.require_office(act.office_id)
    else:
        act = load_act(session, by, act_id)
    append(session, by.actor, "act.read", "act", act.id, office=office_code(session, act.office_id))
    return act


def history(session: Session, by: Principal, act_id: int) -> list[ActEvent]:
    by.require(Permission.ACTS_READ)
    act = load_act(session, by, act_id)
    append(
        session, by.actor, "act.history", "act", act.id, office=office_code(session, act.office_id)
    )
    return list(
        session.scalars(select(ActEvent).where(ActEvent.act_id == act_id).order_by(ActEvent.id))
    )


def keying_queue(session: Session, by: Principal, office: str) -> list[Act]:
    """Acts waiting for a second keying that this officer did not key first."""
    by.require(Permission.ACTS_KEY)
    off = office_by_code(session, office)
    by.require_office(off.id)
    stmt = (
        select(Act)
        .where(Act.office_id == off.id, Act.status == ActStatus.AWAITING_SECOND_KEYING.value)
        .order_by(Act.id)
        .limit(200)
    )
    if by.user_id is not None:
        stmt = stmt.where(Act.created_by_id != by.user_id)
    return list(session.scalars(stmt))
