"""Reading what was typed on the on-screen keyboard: dates, numbers, names."""

from __future__ import annotations

import re
from datetime import date

from kiosk_terminal.core.model import ActReference

_DIGITS = re.compile(r"\d+")


def parse_date(text: str) -> date | None:
    """``04/03/1990``, ``4/3/1990`` or ``04031990`` (day first, as written in Morocco)."""
    parts = _DIGITS.findall(text)
    if len(parts) == 1 and len(parts[0]) == 8:
        raw = parts[0]
        parts = [raw[:2], raw[2:4], raw[4:]]
    if len(parts) != 3 or len(parts[2]) != 4:
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def parse_reference(office: str, year: str, number: str) -> ActReference | None:
    try:
        return ActReference(office.strip().upper(), int(year), int(number))
    except ValueError:
        return None


def clean_name(text: str) -> str | None:
    """A name as typed: spaces collapsed; None when empty or too short to search by."""
    name = " ".join(text.split())
    return name if len(name) >= 2 else None
