"""The ingest thread: broker messages in, status and alerts derived, database written.

paho's network thread only appends raw messages to a deque; one processing thread decodes
them, keeps every terminal's live state in memory, sweeps for silent terminals, runs the
alert rules and writes to the database in batches. Web requests never mutate the live
state directly: they hand a function to :meth:`FleetRuntime.call`, run on that thread.
"""

from __future__ import annotations

import heapq
import logging
import queue
import ssl
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from paho.mqtt.client import Client, ConnectFlags, DisconnectFlags
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from fleet_manager.alerts.engine import AlertEngine, Opened, Resolved
from fleet_manager.alerts.notify import Notice, Notifier
from fleet_manager.alerts.rules import Rule, Thresholds, evaluate
from fleet_manager.configs import ConfigCache, Scope, ScopedVersion
from fleet_manager.history import prune
from fleet_manager.hours import OfficeHours
from fleet_manager.ingest import SUBSCRIBED, Classifier, IngestCounters
from fleet_manager.metrics import FleetMetrics
from fleet_manager.models import (
    Alert,
    CommandRecord,
    ConfigVersion,
    StatusChange,
    TelemetrySample,
    Terminal,
    TerminalEvent,
)
from fleet_manager.reader import MqttReader
from fleet_manager.settings import FleetSettings
from fleet_manager.status import Live, Status, StatusPolicy, derive
from fleet_manager.usage import count_events
from fleet_manager.usage_store import add_usage, prune_usage, roll_up
from protocol.codec import Rejected, encode
from protocol.health import DeviceKind
from protocol.messages import (
    FINAL_ACK_STATUSES,
    AckStatus,
    CommandAck,
    Event,
    Presence,
    Telemetry,
    TerminalState,
)
from protocol.topics import TerminalChannel, Topics

log = logging.getLogger(__name__)
T = TypeVar("T")

OPEN_STATES = ("open", "acknowledged")
FULL_SWEEP_S = 30.0
CONFIG_RESEND_S = 30.0
# Which command states an ack may move a command out of (acks can arrive out of order).
_ACK_FROM: dict[AckStatus, tuple[str, ...]] = {
    AckStatus.ACCEPTED: ("sent",),
    **{s: ("sent", "accepted", "timed_out") for s in FINAL_ACK_STATUSES},
}


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class FleetRuntime:
    def __init__(
        self,
        settings: FleetSettings,
        sessions: sessionmaker[Session],
        metrics: FleetMetrics,
        notifier: Notifier,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.metrics = metrics
        self.notifier = notifier
        self.clock = clock
        self.topics = Topics(settings.topic_root)
        self.live: dict[str, Live] = {}
        self.inbox: deque[tuple[str, bytes, float]] = deque()
        self.controls: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = (
            queue.SimpleQueue()
        )
        self.counters = IngestCounters()
        self.classify = Classifier(self.topics)
        self.processed = 0
        self.hours = OfficeHours.parse(
            settings.office_hours, settings.office_days, settings.office_timezone
        )
        self.policy = StatusPolicy(
            hours=self.hours,
            missed_heartbeats=settings.missed_heartbeats,
            grace_s=settings.heartbeat_grace_s,
            disk_low_pct=settings.disk_low_pct,
            outbox_stuck_after_s=settings.outbox_stuck_after_s,
            clock_skew_s=settings.clock_skew_s,
        )
        self.thresholds = Thresholds(
            offline_after_s=settings.alert_offline_after_s,
            outbox_stuck_after_s=settings.outbox_stuck_after_s,
            disk_low_pct=settings.disk_low_pct,
            disk_clear_pct=settings.disk_clear_pct,
            clock_skew_s=settings.clock_skew_s,
        )
        self.alerts = AlertEngine(settings.alert_raise_after_s, settings.alert_clear_after_s)
        self.configs = ConfigCache()
        self.alerts_open: Counter[str] = Counter()
        self._known: set[str] = set()
        self._samples: list[dict[str, Any]] = []
        self._events: dict[str, dict[str, Any]] = {}
        self._changes: list[dict[str, Any]] = []  # status changes, for availability
        self._acks: list[CommandAck] = []
        self._opened: list[Opened] = []
        self._resolved: list[Resolved] = []
        self._config_sent: dict[str, float] = {}
        self._deadlines: list[tuple[float, str]] = []  # heartbeat deadlines (a heap)
        self._timed: dict[str, float] = {}  # each terminal's live entry in that heap
        self._recheck: set[str] = set()  # terminals whose alert rules need a run
        self._offline_watch: set[str] = set()
        self._last_full_sweep = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client: Client | None = None
        self._reader: MqttReader | None = None
        self._publisher_up = threading.Event()
        self.metrics.watch(
            self.status_counts,
            lambda: Counter(self.alerts_open),
            lambda: Counter(self.counters.received),
            lambda: Counter(self.counters.dropped),
        )

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self.load()
        self._thread = threading.Thread(target=self._loop, name="fleet-ingest", daemon=True)
        self._thread.start()
        if self.settings.ingest_enabled:
            s = self.settings
            self._client = self._make_client()
            self._client.connect_async(s.mqtt_host, s.mqtt_port, keepalive=15)
            self._client.loop_start()
            self._reader = MqttReader(
                s.mqtt_host,
                s.mqtt_port,
                [(self.topics.all_terminals(ch), 1) for ch in SUBSCRIBED],
                self._received,
                # A persistent session keeps what arrives while the service restarts; its
                # client id must then be stable (one per topic root).
                client_id=(
                    f"sijill-fleet-ingest-{zlib.crc32(s.topic_root.encode()):08x}"
                    if s.mqtt_persistent_session
                    else f"sijill-fleet-ingest-{id(self):x}"
                ),
                clean_session=not s.mqtt_persistent_session,
                username=s.mqtt_username,
                password=s.mqtt_password.get_secret_value() if s.mqtt_password else None,
                tls=self._tls_context(),
            )
            self._reader.start()

    def stop(self) -> None:
        if self._reader is not None:
            self._reader.stop()
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self.flush(self.clock())

    def load(self) -> None:
        now = self.clock()
        with self.sessions() as session:
            for row in session.scalars(select(Terminal)):
                live = Live(
                    terminal_id=row.id,
                    office=row.office,
                    group=row.group,
                    presence=Presence(row.presence) if row.presence else None,
                    boot_id=row.boot_id,
                    software_version=row.software_version,
                    config_version=row.config_version,
                    desired_config_version=row.desired_config_version,
                    # Restarted: give every terminal a fresh window before calling it silent.
                    last_seen=now if row.last_seen is not None else None,
                    interval_s=row.interval_s or 10.0,
                    status=Status(row.status),
                    reason=row.status_reason,
                    status_since=row.status_since.timestamp() if row.status_since else now,
                    first_seen=row.first_seen.timestamp() if row.first_seen else None,
                    dirty=False,
                )
                self.live[row.id] = live
                self._known.add(row.id)
                if live.status is Status.OFFLINE:
                    self._offline_watch.add(row.id)
            for alert in session.scalars(select(Alert).where(Alert.state.in_(OPEN_STATES))):
                self.alerts.adopt(alert.terminal_id, Rule(alert.rule), alert.id, alert.detail or "")
            for v in session.scalars(select(ConfigVersion).order_by(ConfigVersion.id)):
                self.configs.put(
                    ScopedVersion(v.id, Scope(v.scope), v.scope_id, v.overrides, v.created_by)
                )
        self._refresh_alert_counts()

    # --- MQTT ----------------------------------------------------------------------------
    def _make_client(self) -> Client:
        s = self.settings
        client = Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"sijill-fleet-{id(self):x}",
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        if s.mqtt_username:
            password = s.mqtt_password.get_secret_value() if s.mqtt_password else None
            client.username_pw_set(s.mqtt_username, password)
        context = self._tls_context()
        if context is not None:
            client.tls_set_context(context)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        return client

    def _tls_context(self) -> ssl.SSLContext | None:
        s = self.settings
        if not s.mqtt_cafile:
            return None
        context = ssl.create_default_context(cafile=str(s.mqtt_cafile))
        if s.mqtt_certfile:
            context.load_cert_chain(
                str(s.mqtt_certfile), str(s.mqtt_keyfile) if s.mqtt_keyfile else None
            )
        return context

    def _on_connect(
        self,
        _client: Client,
        _u: Any,
        _f: ConnectFlags,
        reason: ReasonCode,
        _p: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.error("broker refused the fleet manager's publisher: %s", reason)
            return
        self._publisher_up.set()

    def _on_disconnect(
        self, _c: Client, _u: Any, _f: DisconnectFlags, reason: ReasonCode, _p: Properties | None
    ) -> None:
        self._publisher_up.clear()
        if not self._stop.is_set():
            log.warning("fleet publisher lost the broker: %s", reason)

    def _received(self, topic: str, payload: bytes, received: float) -> None:
        self.inbox.append((topic, payload, received))

    @property
    def connected(self) -> bool:
        """Subscribed for ingest and able to publish."""
        return bool(
            self._reader is not None
            and self._reader.subscribed.is_set()
            and self._publisher_up.is_set()
        )

    def wait_connected(self, timeout_s: float) -> bool:
        end = time.monotonic() + timeout_s
        while not self.connected:
            if time.monotonic() > end:
                return False
            time.sleep(0.02)
        return True

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> bool:
        if self._client is None:
            return False
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        return info.rc == 0

    # --- calls from the web --------------------------------------------------------------
    def call(self, fn: Callable[[], T], timeout_s: float = 15.0) -> T:
        """Run ``fn`` on the ingest thread (the one owner of the live state)."""
        if self._thread is None or threading.current_thread() is self._thread:
            return fn()
        future: Future[T] = Future()
        self.controls.put((fn, future))
        return future.result(timeout_s)

    # --- processing ----------------------------------------------------------------------
    def _loop(self) -> None:
        next_sweep = next_flush = next_full_flush = 0.0
        next_slow = self.clock() + self.settings.housekeeping_interval_s
        next_prune = self.clock() + 60.0
        while not self._stop.is_set():
            try:
                handled = self.drain(5000)
                while not self.controls.empty():
                    fn, future = self.controls.get_nowait()
                    try:
                        future.set_result(fn())
                    except Exception as exc:
                        future.set_exception(exc)
                now = self.clock()
                if now >= next_sweep:
                    self.sweep(now)
                    next_sweep = now + self.settings.sweep_interval_s
                if now >= next_flush or len(self._samples) > 20_000:
                    everything = now >= next_full_flush
                    self.flush(now, everything)
                    next_flush = now + 1.0
                    if everything:
                        next_full_flush = now + self.settings.telemetry_flush_s
                if now >= next_slow:
                    self.slow_duties(now)
                    next_slow = now + self.settings.housekeeping_interval_s
                if now >= next_prune:
                    self.prune(now)
                    next_prune = now + 600.0
                if not handled:
                    time.sleep(0.01)
            except Exception:  # keep ingesting whatever one bad batch did
                log.exception("fleet ingest loop error")
                time.sleep(0.5)

    def drain(self, limit: int) -> int:
        handled = 0
        inbox = self.inbox
        while inbox and handled < limit:
            topic, payload, received = inbox.popleft()
            self.handle(topic, payload, received)
            handled += 1
        return handled

    def handle(self, topic: str, payload: bytes, received: float) -> None:
        self.processed += 1
        message = self.classify(topic, payload)
        if isinstance(message, Rejected):
            self.counters.dropped[message.code] += 1
            return
        self.counters.received[type(message).__name__] += 1
        if isinstance(message, Telemetry):
            self._telemetry(message, received)
        elif isinstance(message, TerminalState):
            self._state(message, received)
        elif isinstance(message, Event):
            self._event(message)
        else:
            self._acks.append(message)

    def terminal(self, terminal_id: str, now: float | None = None) -> Live:
        live = self.live.get(terminal_id)
        if live is None:
            now = self.clock() if now is None else now
            live = self.live[terminal_id] = Live(
                terminal_id=terminal_id, first_seen=now, status_since=now
            )
        return live

    def _telemetry(self, t: Telemetry, received: float) -> None:
        live = self.terminal(t.terminal_id, received)
        live.telemetry = t
        live.last_seen = received
        live.interval_s = t.interval_s
        live.skew_s = t.ts.timestamp() - received
        if live.presence is None:
            live.presence = Presence.ONLINE  # telemetry before any state: it is alive
        if t.software_version and t.software_version != live.software_version:
            live.software_version = t.software_version
            live.dirty = True
        if t.config_version != live.config_version:
            live.config_version = t.config_version
            live.dirty = True
        live.fresh = True  # written with the next full flush, not every second
        if received - live.last_sample_at >= self.settings.history_sample_s:
            live.last_sample_at = received
            printer = t.devices.get(DeviceKind.PRINTER)
            reader = t.devices.get(DeviceKind.CARD_READER)
            self._samples.append(
                {
                    "terminal_id": t.terminal_id,
                    "ts": _dt(received),
                    "cpu_pct": t.cpu_pct,
                    "mem_pct": t.mem_pct,
                    "disk_free_pct": t.disk_free_pct,
                    "outbox_pending": t.outbox_pending,
                    "printer": printer.state.value if printer else None,
                    "card_reader": reader.state.value if reader else None,
                    "status": live.status.value,
                }
            )
        self._rederive(live, received)

    def _state(self, s: TerminalState, received: float) -> None:
        live = self.terminal(s.terminal_id, received)
        if (
            s.presence is Presence.OFFLINE
            and live.presence is not Presence.OFFLINE
            and s.boot_id
            and live.boot_id
            and s.boot_id != live.boot_id
        ):
            return  # a previous boot's Last Will arriving after the new boot said online
        live.presence = s.presence
        live.presence_reason = s.reason
        if s.presence is not Presence.OFFLINE:
            live.last_seen = received
            if live.boot_id != s.boot_id:
                live.telemetry = None  # a new boot: old device health no longer holds
        live.boot_id = s.boot_id or live.boot_id
        live.software_version = s.software_version or live.software_version
        if s.config_version is not None or s.presence is not Presence.OFFLINE:
            live.config_version = s.config_version
        if s.office and s.office != live.office:
            live.office = s.office
            self._refresh_desired(live)
        live.dirty = True
        self._rederive(live, received)
        if s.presence is not Presence.OFFLINE:
            self._maybe_send_config(live, received)

    def _event(self, e: Event) -> None:
        self._events[str(e.event_id)] = {  # keyed by id: a QoS 1 repeat overwrites itself
            "id": str(e.event_id),
            "terminal_id": e.terminal_id,
            "ts": e.ts,
            "kind": e.kind.value,
            "device": e.device.value if e.device else None,
            "data": dict(e.data),
        }

    def _rederive(self, live: Live, now: float) -> None:
        status, reason = derive(live, now, self.policy)
        self._recheck.add(live.terminal_id)
        deadline = self.policy.heartbeat_deadline(live)
        if deadline is not None and deadline > now:  # a passed one has been acted on
            scheduled = self._timed.get(live.terminal_id)
            if scheduled is None or deadline < scheduled:  # later ones move on lazily
                heapq.heappush(self._deadlines, (deadline, live.terminal_id))
                self._timed[live.terminal_id] = deadline
        if status is not live.status or reason != live.reason:
            if status is not live.status:
                live.status_since = now
                if status is Status.OFFLINE:
                    self._offline_watch.add(live.terminal_id)
                self._changes.append(
                    {
                        "terminal_id": live.terminal_id,
                        "office": live.office,
                        "ts": _dt(now),
                        "status": status.value,
                    }
                )
                log.info("terminal %s %s -> %s (%s)", live.terminal_id, live.status, status, reason)
            live.status, live.reason = status, reason
            live.dirty = True

    def sweep(self, now: float) -> None:
        """Find silent terminals and run the alert rules where something may have changed.

        Heartbeat deadlines sit in a heap (one entry per terminal, moved on lazily), so a
        sweep costs what changed, not the fleet's size; a full pass every
        ``FULL_SWEEP_S`` catches what only the clock changes (office hours).
        """
        full = now - self._last_full_sweep >= FULL_SWEEP_S
        if full:
            self._last_full_sweep = now
            for every in self.live.values():
                self._rederive(every, now)
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            when, tid = heapq.heappop(deadlines)
            if self._timed.get(tid) != when:
                continue  # superseded by an earlier entry
            del self._timed[tid]
            due = self.live.get(tid)
            if due is None:
                continue
            current = self.policy.heartbeat_deadline(due)
            if current is not None and current > now:
                heapq.heappush(deadlines, (current, tid))  # heard from since: move it on
                self._timed[tid] = current
            else:
                self._rederive(due, now)
        check = self._recheck
        self._recheck = set()
        check.update(self.alerts.tracks)  # pending hysteresis timers
        check.update(self._offline_watch)  # offline, waiting for "offline longer than N"
        for tid in check:
            live = self.live.get(tid)
            if live is None:
                continue
            held, unknown = evaluate(live, now, self.thresholds, self.alerts.open_rules(tid))
            for change in self.alerts.step(tid, held, unknown, now):
                if isinstance(change, Opened):
                    self._opened.append(change)
                else:
                    self._resolved.append(change)
            if tid in self._offline_watch and (
                live.status is not Status.OFFLINE or Rule.OFFLINE in self.alerts.open_rules(tid)
            ):
                self._offline_watch.discard(tid)

    # --- configuration -------------------------------------------------------------------
    def _refresh_desired(self, live: Live) -> None:
        config = self.configs.effective(live.terminal_id, live.office, live.group)
        desired = config.config_version if config else None
        if desired != live.desired_config_version:
            live.desired_config_version = desired
            live.dirty = True
            self._config_sent.pop(live.terminal_id, None)

    def _maybe_send_config(self, live: Live, now: float) -> None:
        if live.desired_config_version is None:
            self._refresh_desired(live)
        if live.desired_config_version is None:
            return
        if live.config_version == live.desired_config_version:
            return
        if now - self._config_sent.get(live.terminal_id, 0.0) < CONFIG_RESEND_S:
            return
        self.send_config(live)

    def send_config(self, live: Live) -> bool:
        config = self.configs.effective(live.terminal_id, live.office, live.group)
        if config is None:
            return False
        self._config_sent[live.terminal_id] = self.clock()
        topic = self.topics.terminal(live.terminal_id, TerminalChannel.CONFIG)
        return self.publish(topic, encode(config), qos=1, retain=True)

    def config_added(self, version: ScopedVersion) -> int:
        """A new version was stored: update the cache and push it where it applies."""
        self.configs.put(version)
        pushed = 0
        for live in self.live.values():
            if version.scope is Scope.TERMINAL:
                if live.terminal_id != version.scope_id:
                    continue
            elif not self.configs.affects(version.scope, version.scope_id, live.office, live.group):
                continue
            self._refresh_desired(live)
            if live.config_version != live.desired_config_version and self.send_config(live):
                pushed += 1
        return pushed

    def set_group(self, terminal_id: str, group: str | None) -> None:
        live = self.terminal(terminal_id)
        live.group = group
        live.dirty = True
        self._refresh_desired(live)
        if live.config_version != live.desired_config_version:
            self.send_config(live)

    # --- database ------------------------------------------------------------------------
    def _row(self, live: Live) -> dict[str, Any]:
        t = live.telemetry
        return {
            "id": live.terminal_id,
            "office": live.office,
            "group": live.group,
            "software_version": live.software_version,
            "config_version": live.config_version,
            "desired_config_version": live.desired_config_version,
            "status": live.status.value,
            "status_reason": live.reason,
            "status_since": _dt(live.status_since),
            "presence": live.presence.value if live.presence else None,
            "boot_id": live.boot_id,
            "first_seen": _dt(live.first_seen) if live.first_seen else None,
            "last_seen": _dt(live.last_seen) if live.last_seen else None,
            "interval_s": live.interval_s,
            "last_telemetry": t.model_dump(mode="json") if t else None,
        }

    def flush(self, now: float, everything: bool = True) -> None:
        """Write what changed; ``everything`` adds terminals that only sent telemetry."""
        dirty = [lv for lv in self.live.values() if lv.dirty or (everything and lv.fresh)]
        samples, self._samples = self._samples, []
        events, self._events = list(self._events.values()), {}
        changes, self._changes = self._changes, []
        acks, self._acks = self._acks, []
        opened, self._opened = self._opened, []
        resolved, self._resolved = self._resolved, []
        if not (dirty or samples or events or changes or acks or opened or resolved):
            return
        notices: list[Notice] = []
        with self.sessions.begin() as session:
            new = [self._row(lv) for lv in dirty if lv.terminal_id not in self._known]
            old = [self._row(lv) for lv in dirty if lv.terminal_id in self._known]
            if new:
                session.execute(insert(Terminal), new)
            if old:
                session.execute(update(Terminal), old)
            if samples:
                session.execute(insert(TelemetrySample), samples)
            if events:
                ids = [e["id"] for e in events]
                seen = set(
                    session.scalars(select(TerminalEvent.id).where(TerminalEvent.id.in_(ids)))
                )
                fresh = [e for e in events if e["id"] not in seen]
                if fresh:
                    session.execute(insert(TerminalEvent), fresh)
                    offices = {e["terminal_id"]: self._office(e["terminal_id"]) for e in fresh}
                    add_usage(session, count_events(fresh, offices, self.hours))
            if changes:
                session.execute(insert(StatusChange), changes)
            for ack in acks:
                self._apply_ack(session, ack, now)
            for change in opened:
                live = self.live.get(change.terminal_id)
                alert = Alert(
                    terminal_id=change.terminal_id,
                    office=live.office if live else None,
                    rule=change.rule.value,
                    severity=change.severity,
                    state="open",
                    detail=change.detail[:300],
                    opened_at=_dt(now),
                )
                session.add(alert)
                session.flush()
                self.alerts.attach(change.terminal_id, change.rule, alert.id)
                notices.append(_notice("opened", alert))
            for gone in resolved:
                alert_row = session.get(Alert, gone.alert_id)
                if alert_row is not None and alert_row.state != "resolved":
                    alert_row.state = "resolved"
                    alert_row.resolved_at = _dt(now)
                    notices.append(_notice("resolved", alert_row))
        self._known.update(lv.terminal_id for lv in dirty)
        for live in dirty:
            live.dirty = live.fresh = False
        for notice in notices:
            self.metrics.notifications.labels(notice.kind).inc()
            self.notifier.notify(notice)
        if opened or resolved:
            self._refresh_alert_counts()

    def _office(self, terminal_id: str) -> str | None:
        live = self.live.get(terminal_id)
        return live.office if live is not None else None

    def _apply_ack(self, session: Session, ack: CommandAck, now: float) -> None:
        session.execute(
            update(CommandRecord)
            .where(
                CommandRecord.id == str(ack.command_id),
                CommandRecord.terminal_id == ack.terminal_id,
                CommandRecord.status.in_(_ACK_FROM[ack.status]),
            )
            .values(
                status=ack.status.value,
                detail=ack.detail,
                result=dict(ack.result),
                updated_at=_dt(now),
            )
        )

    def slow_duties(self, now: float) -> None:
        """Command time-outs, escalation of unacknowledged alerts, alert counts."""
        grace = timedelta(seconds=self.settings.command_ack_grace_s)
        notices: list[Notice] = []
        with self.sessions.begin() as session:
            session.execute(
                update(CommandRecord)
                .where(
                    CommandRecord.status.in_(("sent", "accepted")),
                    CommandRecord.deadline < _dt(now) - grace,
                )
                .values(
                    status="timed_out", detail="no outcome before the deadline", updated_at=_dt(now)
                )
            )
            cutoff = _dt(now - self.settings.alert_escalate_after_s)
            for alert in session.scalars(
                select(Alert).where(
                    Alert.state == "open", Alert.escalated_at.is_(None), Alert.opened_at <= cutoff
                )
            ):
                alert.escalated_at = _dt(now)
                notices.append(_notice("escalated", alert))
        for notice in notices:
            self.metrics.notifications.labels(notice.kind).inc()
            self.notifier.notify(notice)
        self._refresh_alert_counts()

    def prune(self, now: float) -> None:
        s = self.settings
        with self.sessions.begin() as session:
            folded = prune(
                session, _dt(now), s.history_raw_hours, s.history_rollup_days, s.events_keep_days
            )
            prune_usage(session, _dt(now), s.usage_keep_days)
            rolled = roll_up(session, self.hours, _dt(now))
        if folded:
            log.info("folded %d telemetry samples into hourly roll-ups", folded)
        if rolled:
            log.info("folded the availability of %d day(s)", rolled)

    def _refresh_alert_counts(self) -> None:
        with self.sessions() as session:
            rows = session.execute(
                select(Alert.rule, func.count())
                .where(Alert.state.in_(OPEN_STATES))
                .group_by(Alert.rule)
            ).all()
        self.alerts_open = Counter({rule: int(n) for rule, n in rows})

    # --- views -----------------------------------------------------------------------------
    def status_counts(self) -> Counter[str]:
        return Counter(live.status.value for live in list(self.live.values()))

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "broker_connected": self.connected,
            "ingest_enabled": self.settings.ingest_enabled,
            "terminals": len(self.live),
            "backlog": len(self.inbox),
            "processed": self.processed,
            "dropped": sum(self.counters.dropped.values()),
        }


def _notice(kind: str, alert: Alert) -> Notice:
    return Notice(
        kind=kind,
        alert_id=alert.id,
        terminal_id=alert.terminal_id,
        office=alert.office,
        rule=alert.rule,
        severity=alert.severity,
        detail=alert.detail,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
