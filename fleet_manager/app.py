"""The fleet manager's web application: API, dashboard, /healthz and /metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from fleet_manager.api import router as api_router
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from fleet_manager.usage_api import router as usage_router
from fleet_manager.web.routes import SignInRequired
from fleet_manager.web.routes import router as web_router

STATIC = Path(__file__).parent / "web" / "static"


def create_app(
    settings: FleetSettings | None = None, service: FleetService | None = None
) -> FastAPI:
    svc = service or FleetService.build(settings or FleetSettings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        svc.start()
        try:
            yield
        finally:
            svc.stop()

    app = FastAPI(title="Sijill fleet manager", lifespan=lifespan, docs_url="/api/docs")
    app.state.fleet = svc
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api_router)
    app.include_router(usage_router)
    app.include_router(web_router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.middleware("http")
    async def _timing(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "other")
        svc.metrics.http.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return svc.health()

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(svc.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
