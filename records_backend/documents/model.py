"""What an official document says, independent of how the registry stores it.

The records backend maps its acts and notes onto :class:`DocumentContent`; rendering, signing
and verification read only this model.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from records_backend.domain.notes import NoteKind as NoteKind

#: Field separator of the signed payload: no displayed text may contain it.
_FORBIDDEN = "|"

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_Long = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
_Serial = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{3,31}$")]


class DocumentKind(StrEnum):
    FULL_COPY = "full_copy"  # copie intégrale: the whole act and its marginal notes
    EXTRACT = "extract"  # extrait: without the marginal notes
    INDIVIDUAL_SHEET = "individual_sheet"  # fiche individuelle d'état civil


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class HijriDate(_Frozen):
    """A Hijri date exactly as written on the act (never recomputed)."""

    day: int = Field(ge=1, le=30)
    month: int = Field(ge=1, le=12)
    year: int = Field(ge=1200, le=1600)


class Bilingual(_Frozen):
    ar: _Text
    fr: _Text


class PersonName(_Frozen):
    """A name in Arabic letters and in Latin letters."""

    given_ar: _Text
    family_ar: _Text
    given_lat: _Text
    family_lat: _Text

    @field_validator("given_ar", "family_ar", "given_lat", "family_lat")
    @classmethod
    def _no_separator(cls, value: str) -> str:
        if _FORBIDDEN in value:
            raise ValueError(f"a name cannot contain {_FORBIDDEN!r}")
        return value

    @property
    def full_ar(self) -> str:
        return f"{self.given_ar} {self.family_ar}"

    @property
    def full_lat(self) -> str:
        return f"{self.given_lat} {self.family_lat.upper()}"


class ParentName(_Frozen):
    """A parent's full name as written on the act, in both scripts."""

    ar: _Text
    lat: _Text


class OfficeHeader(_Frozen):
    """The issuing office as printed at the top of the document."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")]
    name: Bilingual
    commune: Bilingual = Bilingual(ar="جماعة مكناس", fr="Commune de Meknès")
    prefecture: Bilingual = Bilingual(ar="عمالة مكناس", fr="Préfecture de Meknès")


class ActReference(_Frozen):
    """An act is identified by its office, its register year and its number."""

    office_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,8}$")]
    year: int = Field(ge=1900, le=2200)
    number: int = Field(ge=1, le=999_999)

    def __str__(self) -> str:
        return f"{self.number}/{self.year} ({self.office_code})"


class MarginalNote(_Frozen):
    kind: NoteKind
    note_date: date
    authority: Bilingual
    reference: _Text
    text: Bilingual = Field(description="the note's wording in Arabic and French")

    @property
    def text_ar(self) -> str:
        return self.text.ar

    @property
    def text_fr(self) -> str:
        return self.text.fr


class Officer(_Frozen):
    """The civil-status officer who issues (and signs) the document."""

    name: Bilingual
    title: Bilingual = Bilingual(ar="ضابط الحالة المدنية", fr="Officier de l'état civil")


class DocumentContent(_Frozen):
    """Everything one issued document shows."""

    kind: DocumentKind
    serial: _Serial
    office: OfficeHeader
    act: ActReference
    person: PersonName
    sex: Sex
    birth_date: date
    #: Local civil time as declared (never converted between time zones).
    birth_time: time | None = None
    birth_date_hijri: HijriDate | None = None
    birth_place: Bilingual
    father: ParentName | None = None
    mother: ParentName | None = None
    #: Shown on full copies only; extracts and sheets leave them out by law.
    marginal_notes: tuple[MarginalNote, ...] = ()
    drawn_up_date: date | None = None
    officer: Officer
    issue_date: date
    issue_place: Bilingual = Bilingual(ar="مكناس", fr="Meknès")
    stamp_duty_mad: int = Field(default=2, ge=0, le=1000)

    @field_validator("issue_date")
    @classmethod
    def _not_before_2000(cls, value: date) -> date:
        if value.year < 2000:
            raise ValueError("an issue date before 2000 is not plausible")
        return value

    @property
    def shows_marginal_notes(self) -> bool:
        return self.kind is DocumentKind.FULL_COPY
