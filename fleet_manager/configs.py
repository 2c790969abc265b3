"""Versioned configuration by scope: fleet → office → group → terminal (last one wins).

Each stored version holds only the settings it overrides; a terminal's effective version
is the newest version among the scopes that apply to it, so any change anywhere above it
gives it a higher number, and a rollback is a new version carrying old settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from protocol.messages import TerminalConfig, TerminalSettings


class Scope(StrEnum):
    FLEET = "fleet"
    OFFICE = "office"
    GROUP = "group"
    TERMINAL = "terminal"


FLEET_ID = "*"


@dataclass(frozen=True, slots=True)
class ScopedVersion:
    version: int
    scope: Scope
    scope_id: str
    overrides: dict[str, Any]
    created_by: str


class ConfigError(ValueError):
    pass


def check_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Refuse unknown keys and bad values with the reason (before anything is stored)."""
    try:
        TerminalSettings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    return overrides


class ConfigCache:
    """The latest version of each scope, kept in memory by the ingest thread."""

    def __init__(self) -> None:
        self.latest: dict[tuple[Scope, str], ScopedVersion] = {}

    def put(self, version: ScopedVersion) -> None:
        key = (version.scope, version.scope_id)
        current = self.latest.get(key)
        if current is None or current.version < version.version:
            self.latest[key] = version

    def layers(
        self, terminal_id: str, office: str | None, group: str | None
    ) -> list[ScopedVersion]:
        keys = [(Scope.FLEET, FLEET_ID)]
        if office:
            keys.append((Scope.OFFICE, office))
        if group:
            keys.append((Scope.GROUP, group))
        keys.append((Scope.TERMINAL, terminal_id))
        return [self.latest[k] for k in keys if k in self.latest]

    def effective(
        self, terminal_id: str, office: str | None, group: str | None
    ) -> TerminalConfig | None:
        layers = self.layers(terminal_id, office, group)
        if not layers:
            return None
        merged: dict[str, Any] = {}
        for layer in layers:
            merged.update(layer.overrides)
        newest = max(layers, key=lambda v: v.version)
        return TerminalConfig(
            config_version=newest.version,
            issued_by=newest.created_by[:200],
            settings=TerminalSettings(**merged),
        )

    def affects(self, scope: Scope, scope_id: str, office: str | None, group: str | None) -> bool:
        return (
            scope is Scope.FLEET
            or (scope is Scope.OFFICE and scope_id == office)
            or (scope is Scope.GROUP and scope_id == group)
        )
