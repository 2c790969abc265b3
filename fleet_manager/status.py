"""Status derivation, apart from I/O: online, degraded (why), offline (why), closed.

Offline comes from the terminal's retained state (its clean shutdown or its Last Will) or
from silence: no telemetry for ``missed_heartbeats`` intervals plus a grace, found by a
sweep. Outside office hours an offline terminal is "closed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from fleet_manager.hours import OfficeHours
from protocol.health import HealthState
from protocol.messages import OfflineReason, Presence, Telemetry


class Status(StrEnum):
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"
    CLOSED = "closed"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"


MISSED_HEARTBEATS = "missed_heartbeats"


@dataclass(slots=True)
class Live:
    """What the service knows about one terminal right now (epoch seconds)."""

    terminal_id: str
    office: str | None = None
    group: str | None = None
    presence: Presence | None = None
    presence_reason: OfflineReason | None = None
    boot_id: str | None = None
    software_version: str | None = None
    config_version: int | None = None
    desired_config_version: int | None = None
    last_seen: float | None = None
    interval_s: float = 10.0
    telemetry: Telemetry | None = None
    skew_s: float = 0.0
    status: Status = Status.UNKNOWN
    reason: str | None = None
    status_since: float = 0.0
    hours: OfficeHours | None = None
    last_sample_at: float = 0.0
    first_seen: float | None = None
    dirty: bool = True  # identity or status changed: written within a second
    fresh: bool = False  # only new telemetry: written with the next full flush
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StatusPolicy:
    hours: OfficeHours
    missed_heartbeats: float = 2.0
    grace_s: float = 0.5
    disk_low_pct: float = 10.0
    outbox_stuck_after_s: float = 900.0
    clock_skew_s: float = 120.0

    def heartbeat_deadline(self, live: Live) -> float | None:
        if live.last_seen is None:
            return None
        return live.last_seen + self.missed_heartbeats * live.interval_s + self.grace_s


def degradation(t: Telemetry, skew_s: float, policy: StatusPolicy) -> str | None:
    """Why a terminal that answers cannot fully serve, or None."""
    reasons = [
        f"{kind.value}: {health.reason or health.state.value}"
        for kind, health in sorted(t.devices.items())
        if health.state is not HealthState.OK
    ]
    if (
        t.outbox_pending
        and t.outbox_oldest_age_s is not None
        and t.outbox_oldest_age_s >= policy.outbox_stuck_after_s
    ):
        reasons.append(f"outbox not draining ({t.outbox_pending} pending)")
    if t.disk_free_pct is not None and t.disk_free_pct < policy.disk_low_pct:
        reasons.append(f"disk {t.disk_free_pct:.0f}% free")
    if abs(skew_s) > policy.clock_skew_s:
        reasons.append(f"clock off by {skew_s:+.0f} s")
    return "; ".join(reasons)[:300] if reasons else None


def derive(live: Live, now: float, policy: StatusPolicy) -> tuple[Status, str | None]:
    hours = live.hours or policy.hours
    if live.presence is None and live.last_seen is None:
        return Status.UNKNOWN, None
    offline_reason: str | None = None
    if live.presence is Presence.OFFLINE:
        offline_reason = (live.presence_reason or OfflineReason.LAST_WILL).value
    else:
        deadline = policy.heartbeat_deadline(live)
        if deadline is not None and now > deadline:
            offline_reason = MISSED_HEARTBEATS
    if offline_reason is not None:
        if offline_reason == OfflineReason.OFFICE_CLOSED.value or not hours.is_open(now):
            return Status.CLOSED, offline_reason
        return Status.OFFLINE, offline_reason
    if live.presence is Presence.MAINTENANCE:
        return Status.MAINTENANCE, None
    if live.telemetry is not None:
        why = degradation(live.telemetry, live.skew_s, policy)
        if why:
            return Status.DEGRADED, why
    return Status.ONLINE, None
