"""Health of a device or a subsystem, as reported in telemetry and self-tests."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = str | int | float | bool | None


class HealthState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # works, but needs attention soon (paper low, slow card)
    ABSENT = "absent"  # not connected / not found
    ERROR = "error"  # connected but cannot serve (paper out, cover open)
    UNKNOWN = "unknown"  # no answer yet (never assume ok)


class DeviceKind(StrEnum):
    PRINTER = "printer"
    CARD_READER = "card_reader"
    SCANNER = "scanner"


class DeviceHealth(BaseModel):
    """One device's health. A reason is required whenever the state is not ok."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: HealthState
    reason: Annotated[str, Field(max_length=200)] | None = None
    detail: Annotated[dict[str, Scalar], Field(max_length=32)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _reason_when_not_ok(self) -> DeviceHealth:
        if self.state is not HealthState.OK and not self.reason:
            raise ValueError(f"a {self.state.value} health needs a reason")
        return self

    @classmethod
    def ok(cls, **detail: Scalar) -> DeviceHealth:
        return cls(state=HealthState.OK, detail=detail)

    @classmethod
    def degraded(cls, reason: str, **detail: Scalar) -> DeviceHealth:
        return cls(state=HealthState.DEGRADED, reason=reason, detail=detail)

    @classmethod
    def absent(cls, reason: str, **detail: Scalar) -> DeviceHealth:
        return cls(state=HealthState.ABSENT, reason=reason, detail=detail)

    @classmethod
    def error(cls, reason: str, **detail: Scalar) -> DeviceHealth:
        return cls(state=HealthState.ERROR, reason=reason, detail=detail)

    @classmethod
    def unknown(cls, reason: str = "no answer yet", **detail: Scalar) -> DeviceHealth:
        return cls(state=HealthState.UNKNOWN, reason=reason, detail=detail)
