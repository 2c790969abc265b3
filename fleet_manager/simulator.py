"""Many simulated terminals in one process, running the kiosk's own agent code.

All agents share one socket loop (:class:`kiosk_terminal.agent.loop.SocketLoop`); faults
are injected by kind and count after a delay: a killed process, a frozen connection,
silent telemetry, printer and reader faults, a stuck outbox, a full disk, a wrong clock.
"""

from __future__ import annotations

import logging
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import ValidationError

from kiosk_terminal.agent import (
    AgentOptions,
    CommandHandler,
    CommandResult,
    HealthSnapshot,
    TerminalAgent,
)
from kiosk_terminal.agent.loop import SocketLoop
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import Command, CommandName, DayMessage, EventKind

log = logging.getLogger(__name__)

DEFAULT_OFFICES = tuple(f"MK{i:02d}" for i in range(19))
CONNECTIONS_PER_SOURCE = 20_000  # loopback has ~28,000 ephemeral ports per source address


class Fault(StrEnum):
    KILL = "kill"
    FREEZE = "freeze"
    MUTE = "mute"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    PRINTER_ERROR = "printer_error"
    CARD_MISSING = "card_missing"
    OUTBOX_STUCK = "outbox_stuck"
    DISK_FULL = "disk_full"
    CLOCK_SKEW = "clock_skew"
    HEAL = "heal"


@dataclass(frozen=True, slots=True)
class FaultPlan:
    fault: Fault
    count: int
    after_s: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """``kind[:count][@seconds]``, e.g. ``kill:2@30``."""
        head, _, after = spec.partition("@")
        kind, _, count = head.partition(":")
        try:
            return cls(Fault(kind.strip()), int(count or 1), float(after or 0))
        except ValueError:
            choices = ", ".join(f.value for f in Fault)
            raise ValueError(
                f"bad fault {spec!r}: kind[:count][@seconds], kind in {choices}"
            ) from None


@dataclass(slots=True)
class SimulatedHealth:
    """One simulated terminal's devices; faults change it, the agent reports it."""

    printer: DeviceHealth = field(default_factory=DeviceHealth.ok)
    card_reader: DeviceHealth = field(default_factory=DeviceHealth.ok)
    outbox_pending: int = 0
    outbox_since: float | None = None
    disk_free_pct: float = 62.0
    rng: random.Random = field(default_factory=random.Random)

    def __call__(self) -> HealthSnapshot:
        age = time.time() - self.outbox_since if self.outbox_since else None
        return HealthSnapshot(
            devices={DeviceKind.PRINTER: self.printer, DeviceKind.CARD_READER: self.card_reader},
            outbox_pending=self.outbox_pending,
            outbox_oldest_age_s=round(age, 1) if age is not None else None,
            disk_free_pct=self.disk_free_pct,
            cpu_pct=round(self.rng.uniform(2, 25), 1),
            mem_pct=round(self.rng.uniform(30, 45), 1),
        )


def _succeed(_command: Command) -> CommandResult:
    return CommandResult(detail="simulated")


def _set_message(command: Command) -> CommandResult:
    """As the kiosk does: the arguments must be a valid bilingual message of the day."""
    try:
        message = DayMessage.model_validate(command.args)
    except ValidationError as exc:
        return CommandResult(ok=False, detail=f"invalid message: {exc.error_count()} error(s)")
    return CommandResult(detail="simulated", result={"shown": not message.empty})


class Simulator:
    def __init__(
        self,
        count: int,
        host: str = "127.0.0.1",
        port: int = 1883,
        topic_root: str = "sijill/v1",
        interval_s: float = 10.0,
        keepalive_s: int = 15,
        prefix: str = "sim",
        offices: tuple[str, ...] = DEFAULT_OFFICES,
        seed: int = 7,
        usage_per_hour: float = 0.0,
    ) -> None:
        raise_open_files(count + 256)
        self.loop = SocketLoop()
        self.health: list[SimulatedHealth] = []
        self.rng = random.Random(seed)  # noqa: S311 - simulated load, not secrets
        handlers: dict[CommandName, CommandHandler] = {
            name: _succeed
            for name in (
                CommandName.REBOOT,
                CommandName.RESTART_APP,
                CommandName.SELF_TEST,
                CommandName.PRINT_TEST,
            )
        }
        handlers[CommandName.SET_MESSAGE] = _set_message
        self.agents: list[TerminalAgent] = []
        for i in range(count):
            health = SimulatedHealth(rng=random.Random(seed + i))  # noqa: S311 - not secret
            source = i // CONNECTIONS_PER_SOURCE
            options = AgentOptions(
                terminal_id=f"{prefix}-{i:05d}",
                office=offices[i % len(offices)],
                host=host,
                port=port,
                topic_root=topic_root,
                keepalive_s=keepalive_s,
                telemetry_interval_s=interval_s,
                bind_address=f"127.0.0.{2 + source}" if host.startswith("127.") else "",
            )
            self.health.append(health)
            self.agents.append(TerminalAgent(options, health=health, handlers=handlers))
        self._victims = list(range(count))
        self.rng.shuffle(self._victims)
        self._hit = 0
        self._pending: list[tuple[float, FaultPlan]] = []
        # Citizens using each kiosk (request, then its receipt), for the usage statistics.
        self.usage_per_hour = usage_per_hour
        self._next_usage = time.monotonic() + 1.0

    def connect_all(self, batch: int = 250, timeout_s: float = 120.0) -> int:
        """Connect every agent, servicing the loop between batches; returns how many are up."""
        for start in range(0, len(self.agents), batch):
            for agent in self.agents[start : start + batch]:
                # Spread first telemetry over one interval, as real terminals would be.
                agent.next_telemetry = time.monotonic() + self.rng.uniform(
                    0, agent.telemetry_interval_s
                )
                self.loop.add(agent)
            self.loop.run_once(0.0)
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            up = sum(1 for a in self.agents if a.connected.is_set())
            if up == len(self.agents):
                break
            self.loop.run_once(0.05)
        return sum(1 for a in self.agents if a.connected.is_set())

    def schedule(self, plan: FaultPlan) -> None:
        self._pending.append((time.monotonic() + plan.after_s, plan))

    def inject(self, fault: Fault, index: int) -> None:
        agent, health = self.agents[index], self.health[index]
        log.info("fault %s on %s", fault.value, agent.options.terminal_id)
        if fault is Fault.KILL:
            self.loop.kill(index)
        elif fault is Fault.FREEZE:
            self.loop.freeze(index)
        elif fault is Fault.MUTE:
            agent.telemetry_paused = True
        elif fault is Fault.PAPER_LOW:
            health.printer = DeviceHealth.degraded("paper near end")
            self._event(agent, EventKind.PAPER_LOW, DeviceKind.PRINTER)
        elif fault is Fault.PAPER_OUT:
            health.printer = DeviceHealth.error("paper out")
            self._event(agent, EventKind.PAPER_OUT, DeviceKind.PRINTER)
        elif fault is Fault.PRINTER_ERROR:
            health.printer = DeviceHealth.error("cover open")
            self._event(agent, EventKind.COVER_OPEN, DeviceKind.PRINTER)
        elif fault is Fault.CARD_MISSING:
            health.card_reader = DeviceHealth.absent("no PC/SC reader found")
            self._event(agent, EventKind.DEVICE_CHANGED, DeviceKind.CARD_READER)
        elif fault is Fault.OUTBOX_STUCK:
            health.outbox_pending = 3
            health.outbox_since = time.time() - 3600
        elif fault is Fault.DISK_FULL:
            health.disk_free_pct = 4.0
        elif fault is Fault.CLOCK_SKEW:
            agent.clock_offset_s = 600.0
        elif fault is Fault.HEAL:
            self.health[index] = SimulatedHealth(rng=health.rng)
            agent.health = self.health[index]
            agent.telemetry_paused = False
            agent.clock_offset_s = 0.0

    @staticmethod
    def _event(agent: TerminalAgent, kind: EventKind, device: DeviceKind) -> None:
        if agent.connected.is_set():
            agent.publish_event(kind, device)

    def _due_faults(self) -> None:
        now = time.monotonic()
        due = [p for p in self._pending if p[0] <= now]
        if not due:
            return
        self._pending = [p for p in self._pending if p[0] > now]
        for _, plan in due:
            for _ in range(plan.count):
                if self._hit >= len(self._victims):
                    return
                self.inject(plan.fault, self._victims[self._hit])
                self._hit += 1

    def _due_usage(self) -> None:
        now = time.monotonic()
        if self.usage_per_hour <= 0 or now < self._next_usage:
            return
        chance = self.usage_per_hour * (now - self._next_usage + 1.0) / 3600
        self._next_usage = now + 1.0
        for agent in self.agents:
            if agent.connected.is_set() and self.rng.random() < chance:
                agent.publish_event(EventKind.REQUEST_SUBMITTED, data={"document": "extract"})
                if self.rng.random() < 0.95:  # now and then the printer lets one down
                    agent.publish_event(EventKind.RECEIPT_PRINTED, data={"ticket": False})

    def run(
        self, seconds: float | None = None, should_stop: Callable[[], bool] | None = None
    ) -> None:
        end = None if seconds is None else time.monotonic() + seconds
        while end is None or time.monotonic() < end:
            self._due_faults()
            self._due_usage()
            self.loop.run_once(0.05)
            if should_stop is not None and should_stop():
                break

    def stop(self) -> None:
        self.loop.stop_all()


def raise_open_files(wanted: int) -> int:
    """Lift the soft open-file limit towards ``wanted`` (one socket per terminal)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard == resource.RLIM_INFINITY else min(max(soft, wanted), hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target
