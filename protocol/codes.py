"""Request codes: ``OFFICE-YEAR-SEQUENCE-CHECK``, e.g. ``MK07-2026-004213-K``.

The alphabet has 31 symbols (digits and capitals without I, L, O, U, Z), a prime count, so a
position-weighted sum modulo 31 detects every single wrong character and every swap of two
characters: a typo cannot turn one valid code into another. When read back, O is taken for 0
and I or L for 1, and separators and spaces are optional.

Terminals reserve blocks of sequence numbers so a receipt printed while the backend is
unreachable already carries its final code.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from protocol.topics import OFFICE_CODE_RE

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
_MOD = len(ALPHABET)  # 31, prime
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
SEQUENCE_DIGITS = 6
MAX_SEQUENCE = 10**SEQUENCE_DIGITS - 1
_CANONICAL_RE = re.compile(r"^([0-9A-Z]{2,6})(\d{4})(\d{6})([0-9A-Z])$")


class CodeError(ValueError):
    """A string that is not a valid request code, with the reason."""


def _check_char(body: str) -> str:
    # Choose c so that sum((i + 1) * value) over body + c is 0 mod 31; weights 1..17 are
    # distinct and non-zero mod 31, which is what makes substitutions and swaps detectable.
    total = sum((i + 1) * _VALUE[ch] for i, ch in enumerate(body))
    weight = len(body) + 1
    c = (-total * pow(weight, -1, _MOD)) % _MOD
    return ALPHABET[c]


@dataclass(frozen=True, slots=True, order=True)
class RequestCode:
    office: str
    year: int
    sequence: int

    def __post_init__(self) -> None:
        if not OFFICE_CODE_RE.fullmatch(self.office):
            raise CodeError(f"invalid office code {self.office!r}")
        if not 2000 <= self.year <= 9999:
            raise CodeError(f"invalid year {self.year}")
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise CodeError(f"sequence {self.sequence} out of range")

    @property
    def check(self) -> str:
        return _check_char(self._body)

    @property
    def _body(self) -> str:
        return f"{self.office}{self.year:04d}{self.sequence:0{SEQUENCE_DIGITS}d}"

    def __str__(self) -> str:
        return f"{self.office}-{self.year:04d}-{self.sequence:0{SEQUENCE_DIGITS}d}-{self.check}"

    @classmethod
    def parse(cls, text: str) -> RequestCode:
        """Read a typed, scanned or printed code; raise :class:`CodeError` saying why not."""
        groups = [g for g in re.split(r"[\s\-_/.]+", text.upper().translate(_READ_AS)) if g]
        # With separators, each part must have its own length; without, read from the right.
        match = _CANONICAL_RE.fullmatch("".join(groups))
        if not match or (len(groups) > 1 and groups != list(match.groups())):
            raise CodeError("not a request code (expected OFFICE-YEAR-NNNNNN-C)")
        office, year, seq, check = match.groups()
        if any(ch not in _VALUE for ch in office + check):
            raise CodeError("the code contains a letter that codes never use")
        code = cls(office, int(year), int(seq))
        if code.check != check:
            raise CodeError("check character does not match: a character was mistyped")
        return code


def is_valid(text: str) -> bool:
    try:
        RequestCode.parse(text)
    except CodeError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Sequence numbers ``first..last`` (inclusive) reserved for one terminal."""

    office: str
    year: int
    first: int
    last: int
    terminal_id: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.first <= self.last <= MAX_SEQUENCE:
            raise CodeError(f"invalid block {self.first}..{self.last}")
        RequestCode(self.office, self.year, self.first)  # validates office and year

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, code: object) -> bool:
        return (
            isinstance(code, RequestCode)
            and code.office == self.office
            and code.year == self.year
            and self.first <= code.sequence <= self.last
        )

    def code(self, offset: int) -> RequestCode:
        if not 0 <= offset < len(self):
            raise IndexError(offset)
        return RequestCode(self.office, self.year, self.first + offset)

    def __iter__(self) -> Iterator[RequestCode]:
        for seq in range(self.first, self.last + 1):
            yield RequestCode(self.office, self.year, seq)


def new_receipt_secret(length: int = 8) -> str:
    """The second factor printed on a receipt: 31^8 ≈ 8.5e11 possibilities."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_secret(text: str) -> str:
    return re.sub(r"[\s\-]", "", text.upper()).translate(_READ_AS)
