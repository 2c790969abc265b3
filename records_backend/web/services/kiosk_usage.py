"""Kiosk usage for the statistics page, read from the fleet manager's ``/api/v1/usage``.

The page passes the signed-in statistician's own token, so the fleet manager applies that
person's office scope. Whatever goes wrong comes back as a reason the page can say, never
as an exception: the rest of the statistics do not depend on the fleet manager.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import httpx
from pydantic import ValidationError

from protocol.usage import UsageFigures, UsageOut
from records_backend.web.services.stats import StatsFilter, suppress

METRICS = ("requests", "receipts", "faults")
#: The fleet API pages by office; Meknes has 19, a country a few thousand.
MAX_PAGES = 60
TIMEOUT_S = 5.0


class Unavailable(StrEnum):
    NOT_CONFIGURED = "not_configured"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"  # the fleet manager refused this account or office
    FAILED = "failed"  # an answer we cannot use


@dataclass(slots=True)
class Counts:
    requests: int = 0
    receipts: int = 0
    faults: int = 0
    open_s: float = 0.0
    online_s: float = 0.0

    def add(self, other: Counts | UsageFigures) -> None:
        self.requests += other.requests
        self.receipts += other.receipts
        self.faults += other.faults
        self.open_s += other.open_s
        self.online_s += other.online_s

    @property
    def availability_pct(self) -> float | None:
        return round(100 * self.online_s / self.open_s, 1) if self.open_s > 0 else None


@dataclass(slots=True)
class KioskUsage:
    offices: dict[str, Counts] = field(default_factory=dict)
    #: (office, local day) → counts
    days: dict[tuple[str, date], Counts] = field(default_factory=dict)

    def per_period(self, since: date, until: date, monthly: bool) -> dict[str, Counts]:
        """All offices together, for every day ("MM-DD") or month ("YYYY-MM") of the period."""
        out: dict[str, Counts] = {}
        day = since
        while day <= until:
            out.setdefault(_label(day, monthly), Counts())
            day += timedelta(days=1)
        for (_, when), c in self.days.items():
            key = _label(when, monthly)
            if key in out:
                out[key].add(c)
        return out

    @property
    def total(self) -> Counts:
        out = Counts()
        for c in self.offices.values():
            out.add(c)
        return out


def _label(day: date, monthly: bool) -> str:
    return day.isoformat()[:7] if monthly else day.isoformat()[5:]


def parse(pages: list[UsageOut]) -> KioskUsage:
    """The fleet manager's pages → figures per office and per office and day (pure)."""
    out = KioskUsage()
    for page in pages:
        for office in page.offices:
            code = office.office or "-"
            out.offices.setdefault(code, Counts()).add(office)
            for row in office.days:
                out.days.setdefault((code, row.day), Counts()).add(row)
    return out


def fetch(
    fleet_url: str | None,
    token: str | None,
    f: StatsFilter,
) -> KioskUsage | Unavailable:
    if not fleet_url:
        return Unavailable.NOT_CONFIGURED
    if not token:
        return Unavailable.REFUSED
    params: dict[str, str] = {"since": f.since.isoformat(), "until": f.until.isoformat()}
    if f.office:
        params["office"] = f.office
    pages: list[UsageOut] = []
    try:
        with httpx.Client(
            base_url=fleet_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_S,
        ) as client:
            for _ in range(MAX_PAGES):
                response = client.get("/api/v1/usage", params=params)
                if response.status_code in (401, 403):
                    return Unavailable.REFUSED
                if response.status_code != 200:
                    return Unavailable.FAILED
                page = UsageOut.model_validate_json(response.content)
                pages.append(page)
                if not page.next_cursor:
                    break
                params["cursor"] = page.next_cursor
            return parse(pages)
    except httpx.TransportError:
        return Unavailable.UNREACHABLE
    except ValidationError:
        return Unavailable.FAILED


def csv_rows(usage: KioskUsage | Unavailable) -> list[list[str]]:
    """Rows for the statistics export, in its (table, key…, count) shape."""
    if isinstance(usage, Unavailable):
        return [["kiosk_usage", "unavailable", usage.value, "", "", ""]]
    rows: list[list[str]] = []
    for (office, day), c in sorted(usage.days.items()):
        when = day.isoformat()
        for metric in METRICS:
            rows.append(["kiosk_usage", office, when, metric, "", suppress(getattr(c, metric))])
        pct = c.availability_pct
        shown = "" if pct is None else f"{pct:.1f}"
        rows.append(["kiosk_availability", office, when, "", "", shown])
    return rows
