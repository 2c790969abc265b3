"""Everything one fleet manager process holds: settings, database, ingest, sign-in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from fleet_manager.alerts.notify import Notifier
from fleet_manager.auth import TokenVerifier, load_public_key
from fleet_manager.db import make_engine, make_sessions, migrate_schema
from fleet_manager.metrics import FleetMetrics
from fleet_manager.runtime import FleetRuntime
from fleet_manager.settings import FleetSettings

log = logging.getLogger(__name__)


@dataclass
class FleetService:
    settings: FleetSettings
    engine: Engine
    sessions: sessionmaker[Session]
    metrics: FleetMetrics
    notifier: Notifier
    runtime: FleetRuntime
    verifier: TokenVerifier | None

    @classmethod
    def build(cls, settings: FleetSettings) -> FleetService:
        engine = make_engine(settings.database())
        migrate_schema(engine)
        sessions = make_sessions(engine)
        metrics = FleetMetrics()
        notifier = Notifier(settings)
        runtime = FleetRuntime(settings, sessions, metrics, notifier)
        verifier = None
        if not settings.open_access:
            source = settings.key_source
            key = load_public_key(
                source if isinstance(source, Path) else None,
                source if isinstance(source, str) else None,
            )
            verifier = TokenVerifier(key, settings.auth_issuer, settings.auth_audience)
        return cls(settings, engine, sessions, metrics, notifier, runtime, verifier)

    def start(self) -> None:
        if self.settings.open_access:
            log.warning("fleet dashboard open without sign-in (development, no public key)")
        self.notifier.start()
        self.runtime.start()

    def stop(self) -> None:
        self.runtime.stop()
        self.notifier.stop()
        self.engine.dispose()

    def health(self) -> dict[str, Any]:
        return self.runtime.health()
