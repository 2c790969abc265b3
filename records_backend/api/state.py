"""What the running app holds: settings, database, keys, rules, metrics."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from records_backend.domain.eligibility import RuleSet
from records_backend.events import OfficeEvents
from records_backend.security.passwords import Passwords
from records_backend.security.ratelimit import RateLimiter
from records_backend.security.tokens import TokenService
from records_backend.services.accounts import LoginPolicy
from records_backend.services.codes import SequenceLeases
from records_backend.services.requests import RequestServices
from records_backend.settings import RecordsSettings


@dataclass
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        return cls(
            registry,
            Counter(
                "sijill_records_http_requests",
                "HTTP requests",
                ["route", "status"],
                registry=registry,
            ),
            Histogram(
                "sijill_records_http_seconds",
                "HTTP request duration",
                ["route"],
                buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
                registry=registry,
            ),
        )


@dataclass
class AppState:
    settings: RecordsSettings
    engine: Engine
    sessions: sessionmaker[Session]
    passwords: Passwords
    tokens: TokenService
    rules: RuleSet
    metrics: Metrics
    events: OfficeEvents
    #: Unauthenticated endpoints, per client address.
    public_limiter: RateLimiter

    @cached_property
    def request_services(self) -> RequestServices:
        # Receipt secrets of server-issued codes derive from the signing key (see codes.py).
        key = hashlib.sha256(
            b"sijill-receipt-secret|" + self.tokens.key.public_raw + self.tokens.key.private_pem()
        ).digest()
        leases = SequenceLeases(self.sessions) if self.engine.dialect.name == "postgresql" else None
        ttl = timedelta(days=self.settings.request_ttl_days)
        return RequestServices(self.rules, key, ttl, leases)

    @property
    def login_policy(self) -> LoginPolicy:
        s = self.settings
        return LoginPolicy(
            max_failures=s.max_failed_logins,
            lockout=timedelta(seconds=s.lockout_seconds),
            session_ttl=timedelta(seconds=s.session_ttl_seconds),
            token_ttl=timedelta(seconds=s.token_ttl_seconds),
        )
