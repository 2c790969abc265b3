"""The commune's calendar day: documents are dated in Moroccan civil time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

MOROCCO = ZoneInfo("Africa/Casablanca")


def civil_today() -> date:
    return datetime.now(MOROCCO).date()
