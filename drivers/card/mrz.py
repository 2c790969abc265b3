"""MRZ data: check digits, the BAC key material, and parsing of DG1 (TD1, TD2, TD3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

_WEIGHTS = (7, 3, 1)


def char_value(c: str) -> int:
    if c.isdigit():
        return int(c)
    if "A" <= c <= "Z":
        return ord(c) - ord("A") + 10
    if c == "<":
        return 0
    raise ValueError("character not allowed in an MRZ")


def check_digit(field: str) -> str:
    """ICAO 9303 Part 3 check digit: weights 7, 3, 1 repeating, modulo 10."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def _yymmdd(value: str) -> str:
    if len(value) != 6 or not value.isdigit():
        raise ValueError("dates are YYMMDD")
    return value


@dataclass(frozen=True, slots=True, repr=False)
class BacKey:
    """What the holder types on the kiosk. Never logged: ``repr`` hides it."""

    document_number: str
    birth_date: str  # YYMMDD
    expiry_date: str  # YYMMDD

    def __post_init__(self) -> None:
        number = self.document_number.strip().upper()
        if not number or len(number) > 9 or not all(c.isalnum() or c == "<" for c in number):
            raise ValueError("document number: 1 to 9 letters or digits")
        object.__setattr__(self, "document_number", number)
        _yymmdd(self.birth_date)
        _yymmdd(self.expiry_date)

    def __repr__(self) -> str:
        return "BacKey(<hidden>)"

    def mrz_information(self) -> str:
        """Document number, birth date and expiry date, each followed by its check digit."""
        number = self.document_number.ljust(9, "<")
        return (
            number
            + check_digit(number)
            + self.birth_date
            + check_digit(self.birth_date)
            + self.expiry_date
            + check_digit(self.expiry_date)
        )


@dataclass(frozen=True, slots=True, repr=False)
class Dg1:
    """The holder's data from DG1. Never logged: ``repr`` hides it."""

    document_code: str
    issuing_state: str
    document_number: str
    surname: str
    given_names: str
    nationality: str
    birth_date: date | None
    sex: str  # "M", "F" or "X"
    expiry_date: date | None
    optional_data: str
    checks_ok: bool

    def __repr__(self) -> str:
        return f"Dg1(document_code={self.document_code!r}, <identity hidden>)"


def _date(yymmdd: str, *, birth: bool, today: date | None = None) -> date | None:
    if not yymmdd.isdigit():
        return None  # unknown parts are written "<<"
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    now = today or datetime.now(UTC).date()
    century = 2000 if (not birth or 2000 + yy <= now.year) else 1900
    try:
        return date(century + yy, mm, dd)
    except ValueError:
        return None


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def _checked(field: str, digit: str) -> bool:
    return check_digit(field) == digit


def parse_mrz(mrz: str, today: date | None = None) -> Dg1:
    """Parse the MRZ text of DG1 (the 5F1F value) of a TD1, TD2 or TD3 document."""
    text = mrz.replace("\n", "").replace("\r", "")
    if len(text) == 90:  # TD1: identity cards (the Moroccan CNIE)
        l1, l2, l3 = text[:30], text[30:60], text[60:]
        number, ok_n = l1[5:14], _checked(l1[5:14], l1[14])
        if l1[14] == "<":  # long document number continues in the optional data
            extra = l1[15:30].rstrip("<")
            number, ok_n = l1[5:14] + extra[:-1], _checked(l1[5:14] + extra[:-1], extra[-1:])
        surname, given = _names(l3)
        checks = (
            ok_n
            and _checked(l2[0:6], l2[6])
            and _checked(l2[8:14], l2[14])
            and _checked(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29])
        )
        return Dg1(
            document_code=l1[0:2].rstrip("<"),
            issuing_state=l1[2:5].rstrip("<"),
            document_number=number.rstrip("<"),
            surname=surname,
            given_names=given,
            nationality=l2[15:18].rstrip("<"),
            birth_date=_date(l2[0:6], birth=True, today=today),
            sex=l2[7].replace("<", "X"),
            expiry_date=_date(l2[8:14], birth=False, today=today),
            optional_data=(l1[15:30] + l2[18:29]).rstrip("<"),
            checks_ok=checks,
        )
    if len(text) in (72, 88):  # TD2 and TD3 (passports) share the second-line layout
        half = len(text) // 2
        l1, l2 = text[:half], text[half:]
        surname, given = _names(l1[5:])
        optional_end = half - 1 if len(text) == 72 else half - 2
        checks = (
            _checked(l2[0:9], l2[9]) and _checked(l2[13:19], l2[19]) and _checked(l2[21:27], l2[27])
        )
        return Dg1(
            document_code=l1[0:2].rstrip("<"),
            issuing_state=l1[2:5].rstrip("<"),
            document_number=l2[0:9].rstrip("<"),
            surname=surname,
            given_names=given,
            nationality=l2[10:13].rstrip("<"),
            birth_date=_date(l2[13:19], birth=True, today=today),
            sex=l2[20].replace("<", "X"),
            expiry_date=_date(l2[21:27], birth=False, today=today),
            optional_data=l2[28:optional_end].rstrip("<"),
            checks_ok=checks,
        )
    raise ValueError(f"MRZ of {len(text)} characters is not TD1, TD2 or TD3")
