"""Which alert conditions hold for a terminal now (pure: no clock, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fleet_manager.status import Live, Status
from protocol.health import DeviceHealth, DeviceKind, HealthState


class Rule(StrEnum):
    OFFLINE = "offline"
    PRINTER_ERROR = "printer_error"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    CARD_READER_MISSING = "card_reader_missing"
    OUTBOX_STUCK = "outbox_stuck"
    DISK_FULL = "disk_full"
    CLOCK_SKEW = "clock_skew"


SEVERITY: dict[Rule, str] = {
    Rule.OFFLINE: "critical",
    Rule.PRINTER_ERROR: "critical",
    Rule.PAPER_OUT: "critical",
    Rule.PAPER_LOW: "warning",
    Rule.CARD_READER_MISSING: "critical",
    Rule.OUTBOX_STUCK: "warning",
    Rule.DISK_FULL: "warning",
    Rule.CLOCK_SKEW: "warning",
}

DEVICE_RULES = frozenset(set(Rule) - {Rule.OFFLINE})


@dataclass(frozen=True, slots=True)
class Thresholds:
    offline_after_s: float = 300.0
    outbox_stuck_after_s: float = 900.0
    disk_low_pct: float = 10.0
    disk_clear_pct: float = 15.0  # an open disk alert holds until free space passes this
    clock_skew_s: float = 120.0


def _about_paper(health: DeviceHealth) -> bool:
    return "paper" in (health.reason or "").lower() or "paper" in health.detail


def evaluate(
    live: Live, now: float, th: Thresholds, open_rules: frozenset[Rule] = frozenset()
) -> tuple[dict[Rule, str], frozenset[Rule]]:
    """(conditions that hold with a detail, rules that cannot be judged now)."""
    held: dict[Rule, str] = {}
    if live.status is Status.OFFLINE and now - live.status_since >= th.offline_after_s:
        held[Rule.OFFLINE] = f"offline ({live.reason or 'unknown'})"
    t = live.telemetry
    if live.status not in (Status.ONLINE, Status.DEGRADED) or t is None:
        # Stale or no telemetry: device alerts stay as they are until the terminal is back.
        return held, DEVICE_RULES
    printer = t.devices.get(DeviceKind.PRINTER)
    if printer is not None:
        if printer.state is HealthState.ERROR and _about_paper(printer):
            held[Rule.PAPER_OUT] = printer.reason or "paper out"
        elif printer.state in (HealthState.ERROR, HealthState.ABSENT):
            held[Rule.PRINTER_ERROR] = printer.reason or printer.state.value
        elif printer.state is HealthState.DEGRADED and _about_paper(printer):
            held[Rule.PAPER_LOW] = printer.reason or "paper low"
    reader = t.devices.get(DeviceKind.CARD_READER)
    if reader is not None and reader.state is HealthState.ABSENT:
        held[Rule.CARD_READER_MISSING] = reader.reason or "card reader not found"
    if (
        t.outbox_pending
        and t.outbox_oldest_age_s is not None
        and t.outbox_oldest_age_s >= th.outbox_stuck_after_s
    ):
        held[Rule.OUTBOX_STUCK] = (
            f"{t.outbox_pending} pending, oldest {t.outbox_oldest_age_s / 60:.0f} min"
        )
    if t.disk_free_pct is not None:
        limit = th.disk_clear_pct if Rule.DISK_FULL in open_rules else th.disk_low_pct
        if t.disk_free_pct < limit:
            held[Rule.DISK_FULL] = f"{t.disk_free_pct:.1f}% free"
    if abs(live.skew_s) > th.clock_skew_s:
        held[Rule.CLOCK_SKEW] = f"clock off by {live.skew_s:+.0f} s"
    return held, frozenset()
