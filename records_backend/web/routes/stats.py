"""Statistics (statisticians only): charts, tables, and a CSV export with small counts hidden."""

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
from records_backend.web.charts import bar_chart
from records_backend.web.context import Signed, Web, render, request_lang
from records_backend.web.i18n import translate
from records_backend.web.services import stats as stats_service
from records_backend.web.services.counter import local_today

router = APIRouter(prefix="/staff", include_in_schema=False)


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
    offices = list(session.scalars(select(Office).order_by(Office.code)))
    return render_stats(request, web, staff, f, fig, charts, offices, months)


def render_stats(
    request: Request,
    web: Web,
    staff: Signed,
    f: stats_service.StatsFilter,
    fig: stats_service.Figures,
    charts: dict[str, Markup],
    offices: list[Office],
    months: list[str],
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
    )


@router.get("/stats.csv", response_model=None)
def stats_csv(
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
    out = io.StringIO()
    csv.writer(out).writerows(stats_service.csv_rows(fig))
    name = f"sijill-stats-{f.since.isoformat()}-{f.until.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
