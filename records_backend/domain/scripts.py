"""Which script a keyed value is written in: checked at the edge of the system."""

from __future__ import annotations

import re

_ARABIC_NAME = re.compile(r"^[\u0621-\u064a\u0660-\u0669\u0670-\u06d3\u064b-\u065f\u0640 \-']+$")
_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿ \-'’.]+$")
_TIFINAGH_NAME = re.compile(r"^[\u2d30-\u2d7f \-]+$")


def check_arabic(value: str) -> str:
    if not _ARABIC_NAME.match(value):
        raise ValueError("must be written in Arabic letters")
    return value


def check_latin(value: str) -> str:
    if not _LATIN_NAME.match(value):
        raise ValueError("must be written in Latin letters")
    return value


def check_tifinagh(value: str) -> str:
    if not _TIFINAGH_NAME.match(value):
        raise ValueError("must be written in Tifinagh letters")
    return value
