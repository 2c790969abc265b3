"""Hijri dates: stored as written on the act; computed only to propose one for a new act."""

from __future__ import annotations

import re
from datetime import date

from hijridate import Gregorian

_HIJRI = re.compile(r"^(\d{3,4})-(\d{2})-(\d{2})$")


def check_hijri(value: str) -> str:
    """A Hijri date in ``YYYY-MM-DD`` form (month 1-12, day 1-30)."""
    m = _HIJRI.match(value)
    if not m:
        raise ValueError("Hijri date must be written YYYY-MM-DD")
    month, day = int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 30):
        raise ValueError("Hijri month or day out of range")
    return value


def propose_hijri(gregorian: date) -> str | None:
    """The Umm al-Qura date for a Gregorian one, or None outside the library's range.

    Morocco follows its own moon sighting, so this is only a proposal the officer may adjust.
    """
    try:
        y, m, d = Gregorian(gregorian.year, gregorian.month, gregorian.day).to_hijri().datetuple()
    except OverflowError:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"
