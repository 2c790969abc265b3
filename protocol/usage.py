"""Kiosk usage as the fleet manager serves it (``GET /api/v1/usage``) and the records
backend's statistics page reads it: one definition for both ends."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class UsageFigures(BaseModel):
    requests: int = Field(description="requests submitted at the kiosk")
    receipts: int = Field(description="receipts printed")
    faults: int = Field(description="device faults reported (paper out, cover open, errors)")
    open_s: int = Field(description="office-hours seconds the terminals existed")
    online_s: int = Field(description="of which they were alive (online or degraded)")
    availability: float | None = Field(description="online_s / open_s, null without open hours")


class UsageDayOut(UsageFigures):
    day: date = Field(description="local day in the offices' time zone")


class UsageTerminalOut(UsageFigures):
    terminal_id: str


class UsageOfficeOut(UsageFigures):
    office: str | None = Field(description="office code; null for terminals with no office")
    days: list[UsageDayOut] = Field(description="days with open hours or counts, oldest first")
    terminals: list[UsageTerminalOut] = Field(description="totals over the period per terminal")


class UsageOut(BaseModel):
    since: date
    until: date
    timezone: str
    offices: list[UsageOfficeOut]
    total_offices: int = Field(description="offices in the answer over every page")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")
