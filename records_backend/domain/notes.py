"""Marginal notes: the only way a registered act changes."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from records_backend.domain.acts import ActFields


class NoteKind(StrEnum):
    MARRIAGE = "marriage"
    DIVORCE = "divorce"
    DEATH = "death"
    NATIONALITY = "nationality"
    RECTIFICATION_JUDGMENT = "rectification_judgment"
    MATERIAL_ERROR = "material_error"
    LATIN_SPELLING = "latin_spelling"
    NAME_CHANGE = "name_change"
    OTHER = "other"


class AuthorityKind(StrEnum):
    COURT = "court"  # a judgment: court and judgment number
    PROSECUTOR = "prosecutor"  # public prosecutor's authorization
    INTERIOR_MINISTER = "interior_minister"
    ADOUL_ACT = "adoul_act"  # marriage or divorce drawn up by adouls
    DEATH_ACT = "death_act"  # the death act that caused the note
    DECREE = "decree"
    OTHER = "other"


#: Which authority may ground each note kind (the law's list, kept as data).
ALLOWED_AUTHORITIES: dict[NoteKind, frozenset[AuthorityKind]] = {
    NoteKind.MARRIAGE: frozenset({AuthorityKind.ADOUL_ACT, AuthorityKind.COURT}),
    NoteKind.DIVORCE: frozenset({AuthorityKind.ADOUL_ACT, AuthorityKind.COURT}),
    NoteKind.DEATH: frozenset({AuthorityKind.DEATH_ACT, AuthorityKind.COURT}),
    NoteKind.NATIONALITY: frozenset({AuthorityKind.DECREE, AuthorityKind.OTHER}),
    NoteKind.RECTIFICATION_JUDGMENT: frozenset({AuthorityKind.COURT}),
    NoteKind.MATERIAL_ERROR: frozenset({AuthorityKind.PROSECUTOR}),
    NoteKind.LATIN_SPELLING: frozenset({AuthorityKind.INTERIOR_MINISTER}),
    NoteKind.NAME_CHANGE: frozenset({AuthorityKind.DECREE, AuthorityKind.COURT}),
    NoteKind.OTHER: frozenset(AuthorityKind),
}

#: Note kinds that change the act's content; the others only record an event.
CORRECTING_KINDS = frozenset(
    {
        NoteKind.RECTIFICATION_JUDGMENT,
        NoteKind.MATERIAL_ERROR,
        NoteKind.LATIN_SPELLING,
        NoteKind.NAME_CHANGE,
    }
)
#: What a Latin-spelling correction may touch.
LATIN_FIELDS = frozenset(
    {"given_name_lat", "family_name_lat", "father_name_lat", "mother_name_lat"}
)
#: Never changed by a note: they make the act's identity.
FROZEN_FIELDS = frozenset({"number"})

_Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
_Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class NoteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoteKind
    note_date: date
    authority_kind: AuthorityKind
    authority_name: _Short
    authority_reference: _Short
    text_ar: _Long
    text_fr: _Long
    changes: dict[str, Any] = Field(default_factory=dict, max_length=10)

    @model_validator(mode="after")
    def _authority_fits(self) -> NoteInput:
        if self.authority_kind not in ALLOWED_AUTHORITIES[self.kind]:
            raise ValueError(
                f"a {self.kind.value} note cannot rest on a {self.authority_kind.value}"
            )
        if self.changes and self.kind not in CORRECTING_KINDS:
            raise ValueError(f"a {self.kind.value} note cannot change the act's fields")
        if self.kind in CORRECTING_KINDS and not self.changes:
            raise ValueError("a correction must say which fields it changes")
        unknown = set(self.changes) - set(ActFields.model_fields)
        if unknown:
            raise ValueError(f"unknown fields: {sorted(unknown)}")
        if set(self.changes) & FROZEN_FIELDS:
            raise ValueError("the act number cannot be changed by a note")
        if self.kind is NoteKind.LATIN_SPELLING and set(self.changes) - LATIN_FIELDS:
            raise ValueError("a Latin-spelling correction changes only Latin names")
        return self


def apply_changes(fields: ActFields, changes: list[dict[str, Any]]) -> ActFields:
    """The act as it reads once the validated corrections are applied, in order."""
    data = fields.model_dump()
    for change in changes:
        data.update(change)
    return ActFields.model_validate(data)
