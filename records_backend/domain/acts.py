"""Civil-status acts: the keyed fields, their validation and the double-keying comparison."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from records_backend.domain.hijri import check_hijri
from records_backend.domain.names import normalize_free_text
from records_backend.domain.scripts import (
    check_arabic,
    check_latin,
    check_latin_place,
    check_tifinagh,
)


class ActKind(StrEnum):
    BIRTH = "birth"
    DEATH = "death"


class ActStatus(StrEnum):
    AWAITING_SECOND_KEYING = "awaiting_second_keying"
    MISMATCH = "mismatch"
    REGISTERED = "registered"
    #: Found to duplicate an act already registered; kept, never registered.
    WITHDRAWN = "withdrawn"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


class SourceKind(StrEnum):
    REGISTER_PAGE = "register_page"
    BORN_DIGITAL = "born_digital"


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
ArName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(check_arabic),
]
LatName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(check_latin),
]
TfngName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(check_tifinagh),
]
#: A place in Latin letters, for the French half of documents (the Arabic one is the act's).
LatPlace = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(check_latin_place),
]
HijriDate = Annotated[str, AfterValidator(check_hijri)]

#: Earliest year a register may carry: civil status became compulsory in Morocco in 1950,
#: but older registers of the protectorate exist.
MIN_YEAR = 1915


class ActFields(BaseModel):
    """Everything an officer keys for one act. Two independent keyings must agree on it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    number: int = Field(ge=1, le=999_999)
    given_name_ar: ArName
    family_name_ar: ArName
    given_name_lat: LatName
    family_name_lat: LatName
    given_name_tfng: TfngName | None = None
    family_name_tfng: TfngName | None = None
    sex: Sex
    event_date: date
    event_date_hijri: HijriDate | None = None
    event_time: time | None = None
    event_place: _Text
    event_place_lat: LatPlace | None = None
    father_name_ar: ArName | None = None
    father_name_lat: LatName | None = None
    father_birth_date: date | None = None
    father_birth_place: _Text | None = None
    father_birth_place_lat: LatPlace | None = None
    father_occupation: _Text | None = None
    father_address: _Text | None = None
    mother_name_ar: ArName | None = None
    mother_name_lat: LatName | None = None
    mother_birth_date: date | None = None
    mother_birth_place: _Text | None = None
    mother_birth_place_lat: LatPlace | None = None
    mother_occupation: _Text | None = None
    mother_address: _Text | None = None
    nationality: _Text = "marocaine"
    declarant_name: _Text | None = None
    declarant_relation: _Text | None = None
    judgment_court: _Text | None = None
    judgment_number: Annotated[str, StringConstraints(max_length=40)] | None = None
    judgment_date: date | None = None
    officer_name: _Text
    drawn_up_date: date
    drawn_up_date_hijri: HijriDate | None = None
    #: For a death act: the deceased's birth act, when known (reference).
    birth_act_reference: Annotated[str, StringConstraints(max_length=40)] | None = None
    source_page: int | None = Field(default=None, ge=1, le=10_000)

    @model_validator(mode="after")
    def _coherent(self) -> ActFields:
        if self.drawn_up_date < self.event_date:
            raise ValueError("the act cannot be drawn up before the event")
        for parent in (self.father_birth_date, self.mother_birth_date):
            if parent is not None and parent >= self.event_date:
                raise ValueError("a parent's birth date must precede the event")
        if (self.judgment_court is None) != (self.judgment_number is None):
            raise ValueError("a declaratory judgment needs both its court and its number")
        if self.event_date.year < MIN_YEAR:
            raise ValueError("event date is before the first registers")
        if self.birth_act_reference is not None:
            parse_reference(self.birth_act_reference)
        if (self.given_name_tfng is None) != (self.family_name_tfng is None):
            raise ValueError("a name in Tifinagh needs both the given and the family name")
        for lat, ar in (
            (self.father_birth_place_lat, self.father_birth_place),
            (self.mother_birth_place_lat, self.mother_birth_place),
        ):
            if lat is not None and ar is None:
                raise ValueError("a place in Latin letters goes with the place as written")
        return self


#: Fields that must be equal in both keyings (all of them).
KEYED_FIELDS: tuple[str, ...] = tuple(ActFields.model_fields)


def comparable(value: Any) -> Any:
    """The form in which two keyings are compared: text folded, other values as they are."""
    if isinstance(value, str):
        return normalize_free_text(value)
    return value


def compare_keyings(first: ActFields, second: ActFields) -> list[str]:
    """Names of the fields on which two keyings disagree after normalization."""
    return [
        name
        for name in KEYED_FIELDS
        if comparable(getattr(first, name)) != comparable(getattr(second, name))
    ]


def reference_of(office_code: str, year: int, kind: ActKind, number: int) -> str:
    """``MK03-2024-N-000123``: office, year, register (N births, D deaths), act number."""
    letter = "N" if kind is ActKind.BIRTH else "D"
    return f"{office_code}-{year:04d}-{letter}-{number:06d}"


def parse_reference(reference: str) -> tuple[str, int, ActKind, int]:
    """Inverse of :func:`reference_of`; lenient on case, spaces and number padding."""
    parts = reference.strip().upper().replace("/", "-").replace(" ", "").split("-")
    if len(parts) != 4 or not parts[1].isdigit() or not parts[3].isdigit():
        raise ValueError("reference must look like MK03-2024-N-000123")
    office, year, letter, number = parts
    if letter not in ("N", "D"):
        raise ValueError("register letter must be N (births) or D (deaths)")
    kind = ActKind.BIRTH if letter == "N" else ActKind.DEATH
    if len(office) != 4:
        raise ValueError("office code has four characters")
    return office, int(year), kind, int(number)
