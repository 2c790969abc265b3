"""What a terminal reports about its health; the kiosk supplies its devices' part."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

from protocol.health import DeviceHealth, DeviceKind


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    devices: dict[DeviceKind, DeviceHealth] = field(default_factory=dict)
    outbox_pending: int = 0
    outbox_oldest_age_s: float | None = None
    disk_free_pct: float | None = None
    cpu_pct: float | None = None
    mem_pct: float | None = None


#: Called once per telemetry period from the agent's thread; must return quickly.
HealthProvider = Callable[[], HealthSnapshot]


def system_health(
    devices: Callable[[], dict[DeviceKind, DeviceHealth]] | None = None,
    outbox: Callable[[], tuple[int, float | None]] | None = None,
    disk_path: str = "/",
) -> HealthProvider:
    """A provider reading this machine's disk, CPU and memory plus the given parts."""

    def provide() -> HealthSnapshot:
        disk = psutil.disk_usage(disk_path)
        pending, oldest = outbox() if outbox else (0, None)
        return HealthSnapshot(
            devices=devices() if devices else {},
            outbox_pending=pending,
            outbox_oldest_age_s=oldest,
            disk_free_pct=round(100.0 - disk.percent, 1),
            cpu_pct=min(100.0, psutil.cpu_percent(interval=None)),
            mem_pct=psutil.virtual_memory().percent,
        )

    return provide
