"""Liveness/readiness for the supervisor, and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from records_backend.api.deps import State
from records_backend.db.migrate import current_revision, head_revision

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Database reachable and schema up to date")
def healthz(state: State) -> JSONResponse:
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(state.engine)
    except Exception as exc:  # any database failure means "not ready"
        return JSONResponse({"status": "error", "reason": type(exc).__name__}, status_code=503)
    head = head_revision()
    if revision != head:
        return JSONResponse(
            {
                "status": "error",
                "reason": "schema not migrated",
                "revision": revision,
                "head": head,
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "revision": revision})


@router.get("/metrics", summary="Prometheus metrics")
def metrics(state: State) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
