"""Office hours: outside them a terminal switched off is "closed", not an alert."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class OfficeHours:
    opens: time | None  # None: always open
    closes: time | None
    days: frozenset[int]
    tz: ZoneInfo

    @classmethod
    def parse(cls, hours: str, days: str = "mon,tue,wed,thu,fri", tz: str = "UTC") -> OfficeHours:
        zone = ZoneInfo(tz)
        if hours.strip().lower() == "always":
            return cls(None, None, frozenset(range(7)), zone)
        match = _RANGE.fullmatch(hours.strip())
        if not match:
            raise ValueError(f"office hours {hours!r}: expected HH:MM-HH:MM or 'always'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        closes = time(23, 59, 59) if (h2, m2) == (24, 0) else time(h2, m2)
        day_set = frozenset(_DAYS.index(d.strip().lower()[:3]) for d in days.split(",") if d)
        return cls(time(h1, m1), closes, day_set, zone)

    def is_open(self, epoch: float) -> bool:
        if self.opens is None or self.closes is None:
            return True
        local = datetime.fromtimestamp(epoch, UTC).astimezone(self.tz)
        if local.weekday() not in self.days:
            return False
        return self.opens <= local.time() < self.closes
