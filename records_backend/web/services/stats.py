"""Figures for the commune: counts by month, office, sex, kind; turnaround; fees.

Only aggregates leave this module. Exports hide counts under five (small cells could point
at a person).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records_backend.db.models import (
    Act,
    DocRequest,
    MarginalNote,
    Office,
    RequestEvent,
    Terminal,
)
from records_backend.domain.acts import ActStatus
from records_backend.domain.errors import DomainError
from records_backend.domain.requests import RequestState
from records_backend.domain.roles import Role
from records_backend.services.principal import Principal

SUPPRESS_BELOW = 5
LOCAL_TZ = ZoneInfo("Africa/Casablanca")


def suppress(count: int) -> str:
    return "<5" if 0 < count < SUPPRESS_BELOW else str(count)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None when there is nothing to rank."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class StatsFilter:
    since: date
    until: date  # inclusive
    office: str | None = None


@dataclass
class Figures:
    #: (kind, month "YYYY-MM", sex, office) → count
    acts: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    requests_by_channel: Counter[str] = field(default_factory=Counter)
    requests_by_kind: Counter[str] = field(default_factory=Counter)
    requests_by_office: Counter[str] = field(default_factory=Counter)
    #: Requests made at each kiosk (terminal id): how much each kiosk is used.
    requests_by_kiosk: Counter[str] = field(default_factory=Counter)
    turnaround_hours: list[float] = field(default_factory=list)
    fees_dirhams: int = 0

    def months(self) -> list[str]:
        return sorted({m for (_, m, _, _) in self.acts})

    def per_month(self, kind: str, sex: str | None = None) -> list[int]:
        totals: dict[str, int] = defaultdict(int)
        for (k, m, s, _), n in self.acts.items():
            if k == kind and (sex is None or s == sex):
                totals[m] += n
        return [totals[m] for m in self.months()]

    def per_office(self, kind: str) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for (k, _, _, o), n in self.acts.items():
            if k == kind:
                totals[o] += n
        return dict(sorted(totals.items()))

    @property
    def p50(self) -> float | None:
        return percentile(self.turnaround_hours, 50)

    @property
    def p90(self) -> float | None:
        return percentile(self.turnaround_hours, 90)


def require_statistician(by: Principal) -> None:
    if Role.STATISTICIAN not in by.roles:
        raise DomainError("forbidden_role", "statistics are for statisticians")


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def compute(session: Session, by: Principal, f: StatsFilter) -> Figures:
    require_statistician(by)
    out = Figures()
    acts = (
        select(Act.kind, Act.event_date, Act.sex, Office.code)
        .join(Office, Office.id == Act.office_id)
        .where(
            Act.status == ActStatus.REGISTERED.value,
            Act.event_date >= f.since,
            Act.event_date <= f.until,
        )
    )
    if f.office:
        acts = acts.where(Office.code == f.office)
    for kind, day, sex, office in session.execute(acts):
        out.acts[(kind, _month(day), sex, office)] += 1

    notes = (
        select(MarginalNote.kind, func.count())
        .join(Act, Act.id == MarginalNote.act_id)
        .join(Office, Office.id == Act.office_id)
        .where(MarginalNote.note_date >= f.since, MarginalNote.note_date <= f.until)
        .group_by(MarginalNote.kind)
    )
    if f.office:
        notes = notes.where(Office.code == f.office)
    for kind, n in session.execute(notes):
        out.notes[kind] = int(n)

    start = datetime.combine(f.since, time.min, LOCAL_TZ)
    end = datetime.combine(f.until + timedelta(days=1), time.min, LOCAL_TZ)
    reqs = (
        select(
            DocRequest.id,
            DocRequest.channel,
            DocRequest.document,
            Office.code,
            DocRequest.submitted_at,
            DocRequest.fee_collected,
            DocRequest.fee_due_dirhams,
            Terminal.terminal_id,
        )
        .join(Office, Office.id == DocRequest.pickup_office_id)
        .outerjoin(Terminal, Terminal.id == DocRequest.terminal_id)
        .where(DocRequest.submitted_at >= start, DocRequest.submitted_at < end)
    )
    if f.office:
        reqs = reqs.where(Office.code == f.office)
    submitted: dict[int, datetime] = {}
    for rid, channel, document, office, at, paid, due, kiosk in session.execute(reqs):
        out.requests_by_channel[channel] += 1
        if kiosk is not None:
            out.requests_by_kiosk[kiosk] += 1
        out.requests_by_kind[document] += 1
        out.requests_by_office[office] += 1
        submitted[rid] = at
        if paid:
            out.fees_dirhams += due
    if submitted:
        collected = select(RequestEvent.request_id, RequestEvent.at).where(
            RequestEvent.to_state == RequestState.COLLECTED.value,
            RequestEvent.request_id.in_(list(submitted)),
        )
        for rid, at in session.execute(collected):
            out.turnaround_hours.append((at - submitted[rid]).total_seconds() / 3600)
    return out


def csv_rows(fig: Figures) -> list[list[str]]:
    """Every figure as one line: (table, key…, count) with small counts suppressed."""
    rows: list[list[str]] = [["table", "key1", "key2", "key3", "key4", "count"]]
    for (kind, month, sex, office), n in sorted(fig.acts.items()):
        rows.append(["acts", kind, month, sex, office, suppress(n)])
    for kind, n in sorted(fig.notes.items()):
        rows.append(["marginal_notes", kind, "", "", "", suppress(n)])
    for name, counter in (
        ("requests_by_channel", fig.requests_by_channel),
        ("requests_by_kind", fig.requests_by_kind),
        ("requests_by_office", fig.requests_by_office),
        ("requests_by_kiosk", fig.requests_by_kiosk),
    ):
        for key, n in sorted(counter.items()):
            rows.append([name, key, "", "", "", suppress(n)])
    for label, value in (("p50_hours", fig.p50), ("p90_hours", fig.p90)):
        # A percentile of fewer than five hand-overs would describe individuals.
        shown = (
            "" if value is None or len(fig.turnaround_hours) < SUPPRESS_BELOW else f"{value:.1f}"
        )
        rows.append(["turnaround", label, "", "", "", shown])
    rows.append(["fees", "dirhams", "", "", "", str(fig.fees_dirhams)])
    return rows
