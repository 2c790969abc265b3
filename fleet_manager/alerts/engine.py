"""Hysteresis: a condition opens an alert after holding for a while, resolves after being
gone for a while; flapping in between changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from fleet_manager.alerts.rules import SEVERITY, Rule


@dataclass(slots=True)
class Track:
    true_since: float | None = None
    false_since: float | None = None
    alert_id: int | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Opened:
    terminal_id: str
    rule: Rule
    severity: str
    detail: str


@dataclass(frozen=True, slots=True)
class Resolved:
    terminal_id: str
    rule: Rule
    alert_id: int


Change = Opened | Resolved


class AlertEngine:
    def __init__(self, raise_after_s: float, clear_after_s: float) -> None:
        self.raise_after_s = raise_after_s
        self.clear_after_s = clear_after_s
        self.tracks: dict[str, dict[Rule, Track]] = {}

    def adopt(self, terminal_id: str, rule: Rule, alert_id: int, detail: str = "") -> None:
        """An alert still open from before a restart."""
        self.tracks.setdefault(terminal_id, {})[rule] = Track(alert_id=alert_id, detail=detail)

    def open_rules(self, terminal_id: str) -> frozenset[Rule]:
        tracks = self.tracks.get(terminal_id, {})
        return frozenset(rule for rule, track in tracks.items() if track.alert_id is not None)

    def attach(self, terminal_id: str, rule: Rule, alert_id: int) -> None:
        self.tracks[terminal_id][rule].alert_id = alert_id

    def step(
        self,
        terminal_id: str,
        held: dict[Rule, str],
        unknown: frozenset[Rule],
        now: float,
    ) -> list[Change]:
        changes: list[Change] = []
        tracks = self.tracks.get(terminal_id)
        if tracks is None:
            if not held:
                return changes  # the common case: nothing wrong, nothing pending
            tracks = self.tracks[terminal_id] = {}
        for rule in set(held) | set(tracks):
            if rule in unknown:
                continue
            track = tracks.get(rule)
            if rule in held:
                if track is None:
                    track = tracks[rule] = Track()
                track.false_since = None
                track.detail = held[rule]
                if track.true_since is None:
                    track.true_since = now
                delay = 0.0 if rule is Rule.OFFLINE else self.raise_after_s
                if track.alert_id is None and now - track.true_since >= delay:
                    track.alert_id = -1  # pending insert; the caller attaches the real id
                    changes.append(Opened(terminal_id, rule, SEVERITY[rule], held[rule]))
            elif track is not None:
                track.true_since = None
                if track.alert_id is None:
                    del tracks[rule]
                    continue
                if track.false_since is None:
                    track.false_since = now
                if now - track.false_since >= self.clear_after_s:
                    if track.alert_id > 0:
                        changes.append(Resolved(terminal_id, rule, track.alert_id))
                    del tracks[rule]
        if not tracks:
            del self.tracks[terminal_id]
        return changes
