"""The terminal's MQTT agent: presence, telemetry, events, commands and configuration.

One :class:`TerminalAgent` per terminal. A kiosk runs it on paho's own network thread
(:meth:`start`); a simulator hosting thousands of agents drives their sockets from one
event loop instead (:mod:`kiosk_terminal.agent.loop`) and calls :meth:`tick` itself.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from paho.mqtt.client import Client, ConnectFlags, DisconnectFlags, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from kiosk_terminal.agent.commands import CommandDispatcher, CommandHandler, CommandResult
from kiosk_terminal.agent.health import HealthProvider, HealthSnapshot
from kiosk_terminal.agent.options import AgentOptions
from protocol.codec import Rejected, decode, encode
from protocol.health import DeviceKind, Scalar
from protocol.messages import (
    Command,
    CommandAck,
    CommandName,
    Event,
    EventKind,
    OfflineReason,
    Presence,
    Telemetry,
    TerminalConfig,
    TerminalSettings,
    TerminalState,
    utcnow,
)
from protocol.topics import TerminalChannel, Topics

log = logging.getLogger(__name__)

ConfigListener = Callable[[TerminalConfig], None]


def _no_health() -> HealthSnapshot:
    return HealthSnapshot()


class TerminalAgent:
    def __init__(
        self,
        options: AgentOptions,
        health: HealthProvider = _no_health,
        handlers: Mapping[CommandName, CommandHandler] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.options = options
        self.topics = Topics(options.topic_root)
        self.health = health
        self.boot_id = uuid.uuid4().hex[:16]
        self.started_at = time.monotonic()
        self.seq = 0
        self.config: TerminalConfig | None = self._load_config()
        self.presence = Presence.ONLINE
        self.connected = threading.Event()
        self.stopped = False
        self.telemetry_paused = False
        self.next_telemetry = 0.0
        #: Added to telemetry timestamps: lets a simulator play a terminal with a wrong clock.
        self.clock_offset_s = 0.0
        self.on_config: list[ConfigListener] = []
        self._executor = executor
        self._thread_loop = False
        self._wake = threading.Event()
        self._timer: threading.Thread | None = None
        self._t_state = self.topics.terminal(options.terminal_id, TerminalChannel.STATE)
        self._t_telemetry = self.topics.terminal(options.terminal_id, TerminalChannel.TELEMETRY)
        self._t_event = self.topics.terminal(options.terminal_id, TerminalChannel.EVENT)
        self._t_cmd = self.topics.terminal(options.terminal_id, TerminalChannel.CMD)
        self._t_ack = self.topics.terminal(options.terminal_id, TerminalChannel.CMD_ACK)
        self._t_config = self.topics.terminal(options.terminal_id, TerminalChannel.CONFIG)
        builtin: dict[CommandName, CommandHandler] = {
            CommandName.PING: self._ping,
            CommandName.SET_LOG_LEVEL: self._set_log_level,
            CommandName.REFRESH_CONFIG: self._refresh_config,
            CommandName.ENTER_MAINTENANCE: self._enter_maintenance,
            CommandName.LEAVE_MAINTENANCE: self._leave_maintenance,
        }
        builtin.update(handlers or {})
        self.dispatcher = CommandDispatcher(options.terminal_id, builtin)
        self.client = self._make_client()

    # --- configuration ---------------------------------------------------------------
    @property
    def settings(self) -> TerminalSettings:
        return self.config.settings if self.config else TerminalSettings()

    @property
    def config_version(self) -> int | None:
        return self.config.config_version if self.config else None

    @property
    def telemetry_interval_s(self) -> float:
        if self.config is None:
            return self.options.telemetry_interval_s
        return self.config.settings.telemetry_interval_s

    def _load_config(self) -> TerminalConfig | None:
        path = self.options.config_path
        if path is None or not path.exists():
            return None
        loaded = decode(TerminalConfig, path.read_bytes())
        return None if isinstance(loaded, Rejected) else loaded

    def _apply_config(self, config: TerminalConfig) -> None:
        if self.config is not None and config.config_version == self.config.config_version:
            return  # the retained copy again after a reconnect
        self.config = config
        if self.options.config_path is not None:
            tmp = self.options.config_path.with_suffix(".tmp")
            tmp.write_bytes(encode(config))
            tmp.replace(self.options.config_path)
        if self.options.apply_log_level:
            logging.getLogger().setLevel(config.settings.log_level)
        for listener in self.on_config:
            try:
                listener(config)
            except Exception:  # a listener's bug must not stop the report
                log.exception("config listener failed")
        log.info("config %s applied", config.config_version)
        self.publish_state()
        self.next_telemetry = 0.0  # report the applied version at once
        self._wake.set()

    # --- MQTT client -----------------------------------------------------------------
    def _make_client(self) -> Client:
        opts = self.options
        client = Client(
            CallbackAPIVersion.VERSION2,
            client_id=opts.client_id,
            clean_session=True,
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        if opts.username:
            client.username_pw_set(opts.username, opts.password)
        if opts.tls:
            client.tls_set(
                ca_certs=str(opts.tls.cafile),
                certfile=str(opts.tls.certfile),
                keyfile=str(opts.tls.keyfile),
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
        will = TerminalState(
            terminal_id=opts.terminal_id,
            presence=Presence.OFFLINE,
            reason=OfflineReason.LAST_WILL,
            boot_id=self.boot_id,
            office=opts.office,
        )
        client.will_set(self._t_state, encode(will), qos=1, retain=True)
        client.reconnect_delay_set(int(opts.reconnect_min_s), int(opts.reconnect_max_s))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _on_connect(
        self,
        client: Client,
        _userdata: Any,
        _flags: ConnectFlags,
        reason: ReasonCode,
        _props: Properties | None,
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused %s: %s", self.options.terminal_id, reason)
            return
        client.subscribe([(self._t_cmd, 1), (self._t_config, 1)])
        self.publish_state()
        self.next_telemetry = 0.0
        self.connected.set()
        self._wake.set()

    def _on_disconnect(
        self,
        _client: Client,
        _userdata: Any,
        _flags: DisconnectFlags,
        reason: ReasonCode,
        _props: Properties | None,
    ) -> None:
        self.connected.clear()
        if not self.stopped:
            log.warning("%s lost the broker: %s", self.options.terminal_id, reason)

    def _on_message(self, _client: Client, _userdata: Any, msg: MQTTMessage) -> None:
        if msg.topic == self._t_config:
            if not msg.payload:
                return  # configuration cleared: keep the one applied
            config = decode(TerminalConfig, msg.payload)
            if isinstance(config, Rejected):
                log.warning("config refused: %s", config.reason)
                self.publish_event(EventKind.ERROR, data={"config_refused": config.reason})
                return
            self._apply_config(config)
        elif msg.topic == self._t_cmd:
            command, acks = self.dispatcher.receive(bytes(msg.payload))
            for ack in acks:
                self._send_ack(ack)
            if command is not None:
                if self._executor is not None:
                    self._executor.submit(self._run, command)
                else:
                    self._run(command)

    def _run(self, command: Command) -> None:
        self._send_ack(self.dispatcher.run(command))

    def _send_ack(self, ack: CommandAck) -> None:
        self.client.publish(self._t_ack, encode(ack), qos=1)

    # --- what the terminal says ------------------------------------------------------
    def publish_state(self, reason: OfflineReason | None = None) -> None:
        presence = Presence.OFFLINE if reason else self.presence
        state = TerminalState(
            terminal_id=self.options.terminal_id,
            presence=presence,
            reason=reason,
            boot_id=self.boot_id,
            software_version=self.options.software_version,
            config_version=self.config_version,
            office=self.options.office,
        )
        self.client.publish(self._t_state, encode(state), qos=1, retain=True)

    def telemetry(self, snapshot: HealthSnapshot, now: datetime | None = None) -> Telemetry:
        return Telemetry(
            terminal_id=self.options.terminal_id,
            ts=now or utcnow() + timedelta(seconds=self.clock_offset_s),
            seq=self.seq,
            interval_s=self.telemetry_interval_s,
            uptime_s=round(time.monotonic() - self.started_at, 1),
            devices=snapshot.devices,
            outbox_pending=snapshot.outbox_pending,
            outbox_oldest_age_s=snapshot.outbox_oldest_age_s,
            disk_free_pct=snapshot.disk_free_pct,
            cpu_pct=snapshot.cpu_pct,
            mem_pct=snapshot.mem_pct,
            software_version=self.options.software_version,
            config_version=self.config_version,
        )

    def publish_telemetry(self) -> None:
        try:
            snapshot = self.health()
        except Exception:  # a broken probe still leaves a heartbeat
            log.exception("health provider failed")
            snapshot = HealthSnapshot()
        self.client.publish(self._t_telemetry, encode(self.telemetry(snapshot)), qos=0)
        self.seq += 1

    def publish_event(
        self,
        kind: EventKind,
        device: DeviceKind | None = None,
        data: Mapping[str, Scalar] | None = None,
    ) -> None:
        event = Event(
            terminal_id=self.options.terminal_id, kind=kind, device=device, data=dict(data or {})
        )
        self.client.publish(self._t_event, encode(event), qos=1)

    def tick(self, now: float | None = None) -> float:
        """Send telemetry when due; returns the monotonic time of the next duty."""
        now = time.monotonic() if now is None else now
        if self.connected.is_set() and not self.telemetry_paused and now >= self.next_telemetry:
            self.publish_telemetry()
            self.next_telemetry = now + self.telemetry_interval_s
        return self.next_telemetry if self.next_telemetry > now else now + 1.0

    # --- lifecycle -------------------------------------------------------------------
    def connect(self) -> None:
        """Connect without starting a thread (for an external event loop)."""
        opts = self.options
        self.client.connect(
            opts.host, opts.port, keepalive=opts.keepalive_s, bind_address=opts.bind_address
        )

    def start(self) -> None:
        """Run on paho's network thread plus a small timer thread (one terminal)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="agent-cmd")
        opts = self.options
        self.client.connect_async(
            opts.host, opts.port, keepalive=opts.keepalive_s, bind_address=opts.bind_address
        )
        self._thread_loop = True
        self.client.loop_start()
        self._timer = threading.Thread(target=self._timer_loop, name="agent-timer", daemon=True)
        self._timer.start()

    def _timer_loop(self) -> None:
        while not self.stopped:
            wake_at = self.tick()
            self._wake.wait(max(0.05, wake_at - time.monotonic()))
            self._wake.clear()

    def wait_connected(self, timeout_s: float = 10.0) -> bool:
        return self.connected.wait(timeout_s)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Leave cleanly: say offline ourselves (a clean DISCONNECT suppresses the Will)."""
        self.stopped = True
        self._wake.set()
        if self.connected.is_set():
            state = TerminalState(
                terminal_id=self.options.terminal_id,
                presence=Presence.OFFLINE,
                reason=OfflineReason.CLEAN_SHUTDOWN,
                boot_id=self.boot_id,
                software_version=self.options.software_version,
                config_version=self.config_version,
                office=self.options.office,
            )
            info = self.client.publish(self._t_state, encode(state), qos=1, retain=True)
            if self._thread_loop:
                try:
                    info.wait_for_publish(timeout_s)
                except (RuntimeError, ValueError):
                    log.warning("offline state not confirmed before leaving")
        self.client.disconnect()
        self._finish()

    def freeze(self) -> None:
        """Go silent with the connection left open (a hung terminal), for fault tests."""
        self.stopped = True
        self._wake.set()
        self._finish()

    def _finish(self) -> None:
        if self._thread_loop:
            self.client.loop_stop()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.join(2.0)
        if isinstance(self._executor, ThreadPoolExecutor):
            self._executor.shutdown(wait=False, cancel_futures=True)

    # --- built-in commands -----------------------------------------------------------
    def _ping(self, _command: Command) -> CommandResult:
        return CommandResult(result={"boot_id": self.boot_id, "seq": self.seq})

    def _set_log_level(self, command: Command) -> CommandResult:
        level = str(command.args.get("level", "")).upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            return CommandResult(ok=False, detail=f"unknown level {level!r}")
        if self.options.apply_log_level:
            logging.getLogger().setLevel(level)
        return CommandResult(result={"level": level})

    def _refresh_config(self, _command: Command) -> CommandResult:
        self.publish_state()
        return CommandResult(result={"config_version": self.config_version})

    def _enter_maintenance(self, _command: Command) -> CommandResult:
        self.presence = Presence.MAINTENANCE
        self.publish_state()
        return CommandResult()

    def _leave_maintenance(self, _command: Command) -> CommandResult:
        self.presence = Presence.ONLINE
        self.publish_state()
        return CommandResult()
