"""The FastAPI application factory."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from records_backend.api import problems
from records_backend.api.metrics_access import ScrapePolicy
from records_backend.api.routes import acts, admin, audit, auth, health, requests
from records_backend.api.state import AppState, Metrics
from records_backend.db.engine import make_engine, make_session_factory
from records_backend.db.migrate import upgrade
from records_backend.domain.eligibility import load_rules
from records_backend.events import MqttOfficeEvents, NoEvents, OfficeEvents
from records_backend.security.keys import SigningKey, load_or_create, publish_public_key
from records_backend.security.passwords import Passwords
from records_backend.security.ratelimit import RateLimiter
from records_backend.security.tokens import TokenService
from records_backend.services.offices import ensure_offices
from records_backend.settings import RecordsSettings

log = logging.getLogger(__name__)


def signing_key(settings: RecordsSettings) -> SigningKey:
    if settings.signing_key is not None:
        key = SigningKey.from_pem(settings.signing_key.get_secret_value().encode())
    else:
        key = load_or_create(settings.data_dir)
    publish_public_key(key, settings.data_dir)
    return key


def build_state(settings: RecordsSettings) -> AppState:
    engine = make_engine(settings.database_url_resolved(), pool_size=settings.pool_size)
    return AppState(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
        tokens=TokenService(
            signing_key(settings),
            settings.token_issuer,
            settings.token_audience,
            timedelta(seconds=settings.token_ttl_seconds),
        ),
        rules=load_rules(),
        metrics=Metrics.create(),
        public_limiter=RateLimiter(settings.public_rate_per_minute),
        events=office_events(settings),
    )


def office_events(settings: RecordsSettings) -> OfficeEvents:
    if settings.mqtt_host is None:
        return NoEvents()
    return MqttOfficeEvents(settings.mqtt_host, settings.mqtt_port, settings.mqtt_topic_root)


def prepare_database(state: AppState) -> None:
    if state.settings.migrate_on_startup:
        upgrade(state.engine)
    if state.settings.ensure_offices:
        with state.sessions.begin() as session:
            added = ensure_offices(session)
        if added:
            log.info("offices added", extra={"count": added})


def prepare_database_once(settings: RecordsSettings) -> None:
    """Migrate and load reference data without building the whole app (multi-worker start)."""
    engine = make_engine(settings.database_url_resolved())
    try:
        upgrade(engine)
        with make_session_factory(engine).begin() as session:
            ensure_offices(session)
    finally:
        engine.dispose()
    # The signing key must exist before workers race to create it.
    signing_key(settings)


class _Measure:
    """Counts and times requests per route: a plain ASGI middleware, which, unlike
    ``@app.middleware("http")``, adds no task and no stream copy to each request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(name, str(status)).inc()
            self.metrics.latency.labels(name).observe(time.perf_counter() - started)


class _GuardMetrics:
    """``/metrics`` only for the scrapers the settings allow (403 problem otherwise); every
    other path goes straight through."""

    def __init__(self, app: ASGIApp, policy: ScrapePolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == METRICS_PATH:
            client = scope.get("client")
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            if not self.policy.allows(client[0] if client else None, headers):
                await problems.problem("metrics_forbidden")(scope, receive, send)
                return
        await self.app(scope, receive, send)


METRICS_PATH = "/metrics"


def scrape_policy(settings: RecordsSettings) -> ScrapePolicy:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    return ScrapePolicy.create(settings.metrics_networks, token, settings.trusted_proxies)


def create_app(settings: RecordsSettings | None = None) -> FastAPI:
    settings = settings or RecordsSettings()
    state = build_state(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        prepare_database(state)
        yield
        state.events.close()
        state.engine.dispose()

    app = FastAPI(
        title="Sijill records",
        version="1.0",
        summary="Civil-status registry of Meknes: acts, notes, requests, accounts, audit",
        lifespan=lifespan,
    )
    app.state.records = state
    problems.install(app)
    for module in (health, auth, admin, acts, requests, audit):
        app.include_router(module.router)
    from records_backend.web import install as install_pages  # staff pages, portal, statistics

    install_pages(app)

    app.add_middleware(_GuardMetrics, policy=scrape_policy(settings))
    app.add_middleware(_Measure, metrics=state.metrics)
    return app
