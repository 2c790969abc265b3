"""Which script a keyed value is written in: checked at the edge of the system."""

from __future__ import annotations

import re

_ARABIC_NAME = re.compile(r"^[\u0621-\u064a\u0660-\u0669\u0670-\u06d3\u064b-\u065f\u0640 \-']+$")
_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ \-'’.]+$")
#: The Tifinagh block (U+2D30–U+2D7F) only, with the separators a compound name uses.
_TIFINAGH_NAME = re.compile(r"^[\u2d30-\u2d7f \-]+$")
#: A place in Latin letters: French accents and ligatures, digits (``Marjane 2``), and the
#: punctuation of an address (``Meknès (Hamria)``, ``Sidi Said, Meknès``). No other script.
_LATIN_PLACE = re.compile(r"^[A-Za-z0-9À-ÖØ-öø-ÿŒœ \-'’.,()/]+$")
_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]")


def check_arabic(value: str) -> str:
    if not _ARABIC_NAME.match(value):
        raise ValueError("must be written in Arabic letters")
    return value


def check_latin(value: str) -> str:
    if not _LATIN_NAME.match(value):
        raise ValueError("must be written in Latin letters")
    return value


def check_tifinagh(value: str) -> str:
    if not _TIFINAGH_NAME.match(value) or not any("\u2d30" <= c <= "\u2d7f" for c in value):
        raise ValueError("must be written in Tifinagh letters")
    return value


def check_latin_place(value: str) -> str:
    if not _LATIN_PLACE.match(value) or not _LETTER.search(value):
        raise ValueError("must be written in Latin letters")
    return value
