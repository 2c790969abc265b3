"""Statistics (statisticians only): charts, tables, and a CSV export with small counts hidden.

Kiosk usage comes from the fleet manager, asked with the statistician's own token.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from records_backend.api.deps import Db
from records_backend.audit.log import append
from records_backend.db.models import Office
from records_backend.web import security
from records_backend.web.charts import bar_chart
from records_backend.web.context import Signed, Web, render, request_lang
from records_backend.web.i18n import Lang, translate
from records_backend.web.services import kiosk_usage
from records_backend.web.services import stats as stats_service
from records_backend.web.services.counter import local_today

router = APIRouter(prefix="/staff", include_in_schema=False)
#: Longer periods chart kiosk use per month, shorter ones per day.
DAILY_UP_TO_DAYS = 62
#: Office codes written in full under the availability bars up to this many offices.
MAX_FULL_LABELS = 10


def _filter(since: date | None, until: date | None, office: str) -> stats_service.StatsFilter:
    until = until or local_today()
    since = since or until - timedelta(days=365)
    return stats_service.StatsFilter(since, until, office.upper() or None)


@router.get("/stats", response_class=HTMLResponse)
def stats_page(
    request: Request,
    web: Web,
    session: Db,
    staff: Signed,
    since: date | None = None,
    until: date | None = None,
    office: str = "",
) -> HTMLResponse:
    f = _filter(since, until, office)
    fig = stats_service.compute(session, staff.principal, f)
    lang = request_lang(request)
    months = fig.months()
    charts = {
        "births": bar_chart(
            translate(lang, "stats.births"),
            months,
            [fig.per_month("birth", "M"), fig.per_month("birth", "F")],
            translate(lang, "stats.no_data"),
        ),
        "deaths": bar_chart(
            translate(lang, "stats.deaths"),
            months,
            [fig.per_month("death", "M"), fig.per_month("death", "F")],
            translate(lang, "stats.no_data"),
        ),
    }
    kiosk = kiosk_usage.fetch(web.records.settings.fleet_url, _access_token(request), f)
    if isinstance(kiosk, kiosk_usage.KioskUsage):
        charts.update(_kiosk_charts(lang, f, kiosk))
    offices = list(session.scalars(select(Office).order_by(Office.code)))
    return render_stats(request, web, staff, f, fig, charts, offices, months, kiosk)


def _access_token(request: Request) -> str | None:
    """The statistician's token: the one refreshed for this response, else the cookie's."""
    pending: list[tuple[str, str | None, int]] = getattr(request.state, "cookies", [])
    for name, value, _ in reversed(pending):
        if name == security.SESSION_COOKIE and value:
            return value
    return request.cookies.get(security.SESSION_COOKIE)


def _kiosk_charts(
    lang: Lang, f: stats_service.StatsFilter, kiosk: kiosk_usage.KioskUsage
) -> dict[str, Markup]:
    monthly = (f.until - f.since).days + 1 > DAILY_UP_TO_DAYS
    periods = kiosk.per_period(f.since, f.until, monthly)
    offices = sorted(kiosk.offices)
    return {
        "kiosk_use": bar_chart(
            translate(lang, "stats.kiosk_use_chart"),
            list(periods),
            [[c.requests for c in periods.values()], [c.receipts for c in periods.values()]],
            translate(lang, "stats.no_data"),
        ),
        "kiosk_availability": bar_chart(
            translate(lang, "stats.kiosk_availability_chart"),
            # Many offices: their numbers only, so the labels do not run into each other
            # (the table below gives the full codes).
            [o[-2:] for o in offices] if len(offices) > MAX_FULL_LABELS else offices,
            [[round(kiosk.offices[o].availability_pct or 0) for o in offices]],
            translate(lang, "stats.no_data"),
        ),
    }


def render_stats(
    request: Request,
    web: Web,
    staff: Signed,
    f: stats_service.StatsFilter,
    fig: stats_service.Figures,
    charts: dict[str, Markup],
    offices: list[Office],
    months: list[str],
    kiosk: kiosk_usage.KioskUsage | kiosk_usage.Unavailable,
) -> HTMLResponse:
    return render(
        request,
        web,
        "stats.html",
        staff=staff,
        f=f,
        fig=fig,
        charts=charts,
        offices=offices,
        months=months,
        kiosk=kiosk,
        kiosk_ok=isinstance(kiosk, kiosk_usage.KioskUsage),
    )


@router.get("/stats.csv", response_model=None)
def stats_csv(
    request: Request,
    web: Web,
    session: Db,
    staff: Signed,
    since: date | None = None,
    until: date | None = None,
    office: str = "",
) -> Response:
    f = _filter(since, until, office)
    fig = stats_service.compute(session, staff.principal, f)
    append(
        session,
        staff.principal.actor,
        "stats.export",
        "stats",
        "csv",
        office=f.office,
        detail={"since": f.since.isoformat(), "until": f.until.isoformat()},
    )
    session.commit()
    kiosk = kiosk_usage.fetch(web.records.settings.fleet_url, _access_token(request), f)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(stats_service.csv_rows(fig))
    writer.writerows(kiosk_usage.csv_rows(kiosk))
    name = f"sijill-stats-{f.since.isoformat()}-{f.until.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
