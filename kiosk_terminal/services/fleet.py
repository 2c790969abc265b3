"""The kiosk on the fleet's MQTT agent: its health, its events, the commands it obeys.

The agent core (``kiosk_terminal.agent``) does the MQTT work; this module gives it the kiosk's
part: device and outbox health for telemetry, command handlers (print a test receipt, enter or
leave out-of-service, restart the app, reload the configuration, set the message of the day)
and the retained configuration applied to the session (idle timeout, languages, message of
the day: the latest of the two wins). Events never carry identity
data: a request is reported by kind and document only.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import ValidationError

from kiosk_terminal.agent import AgentOptions, CommandResult, TerminalAgent
from kiosk_terminal.core.model import DocumentKind, Lang, ReceiptData
from kiosk_terminal.runtime import Dispatch, KioskRuntime
from kiosk_terminal.services.ports import PrintFailed
from protocol.codes import RequestCode
from protocol.health import DeviceKind, Scalar
from protocol.messages import Command, CommandName, DayMessage, EventKind, TerminalConfig

log = logging.getLogger(__name__)


def test_receipt(office: str) -> ReceiptData:
    now = datetime.now(UTC)
    return ReceiptData(
        code=RequestCode(office, now.year, 999_999),
        qr_payload=f"SJ1|{RequestCode(office, now.year, 999_999)}|TESTTEST",
        document=DocumentKind.EXTRACT,
        copies=1,
        fee=Decimal(0),
        pickup_date=(now + timedelta(days=1)).date(),
        issued_at=now,
    )


def day_message_text(message: DayMessage) -> str | None:
    """What the screens show: the Arabic line above the French one, or None."""
    lines = [text for text in (message.ar, message.fr) if text]
    return "\n".join(lines) or None


class FleetBridge:
    """Wires one kiosk runtime to one terminal agent."""

    def __init__(
        self,
        runtime: KioskRuntime,
        options: AgentOptions,
        run_on_ui: Dispatch,
        restart: Callable[[], None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.run_on_ui = run_on_ui
        self.restart = restart
        handlers = {
            CommandName.PRINT_TEST: self._print_test,
            CommandName.ENTER_MAINTENANCE: self._maintenance(True),
            CommandName.LEAVE_MAINTENANCE: self._maintenance(False),
            CommandName.RESTART_APP: self._restart,
            CommandName.SET_MESSAGE: self._set_message,
        }
        self.agent = TerminalAgent(options, runtime.health_provider(), handlers)
        self.agent.on_config.append(self._apply_config)
        runtime.events.append(self.publish)

    def start(self) -> None:
        self.agent.start()

    def stop(self) -> None:
        self.agent.stop()

    def publish(self, kind: EventKind, data: dict[str, Scalar]) -> None:
        device = DeviceKind.PRINTER if kind in (EventKind.PAPER_OUT, EventKind.PAPER_LOW) else None
        try:
            self.agent.publish_event(kind, device, data)
        except Exception:  # telemetry must never break a citizen's journey
            log.exception("event %s not published", kind)

    # --- commands (run on the agent's command thread) ------------------------------------

    def _print_test(self, _command: Command) -> CommandResult:
        try:
            self.runtime.devices.print_receipt(
                f"test-{uuid.uuid4().hex[:12]}", test_receipt(self.runtime.settings.office_code)
            )
        except PrintFailed as exc:
            return CommandResult(ok=False, detail=f"printer: {exc}")
        return CommandResult(result={"printed": True})

    def _maintenance(self, on: bool) -> Callable[[Command], CommandResult]:
        def handle(_command: Command) -> CommandResult:
            # The agent's own handler reports the presence; the screen follows on the UI thread.
            builtin = self.agent._enter_maintenance if on else self.agent._leave_maintenance
            outcome = builtin(_command)
            self.run_on_ui(lambda: self.runtime.session.set_maintenance(on))
            return outcome

        return handle

    def _restart(self, _command: Command) -> CommandResult:
        if self.restart is None:
            return CommandResult(ok=False, detail="restart not available here")
        self.run_on_ui(self.restart)
        return CommandResult(detail="restarting (the service manager starts the app again)")

    def _set_message(self, command: Command) -> CommandResult:
        try:
            message = DayMessage.model_validate(command.args)
        except ValidationError as exc:
            reason = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            return CommandResult(ok=False, detail=f"invalid message: {reason}"[:200])
        text = day_message_text(message)
        self.run_on_ui(lambda: self.runtime.session.set_message_of_the_day(text))
        return CommandResult(result={"shown": text is not None})

    def _apply_config(self, config: TerminalConfig) -> None:
        wanted = config.settings
        session = self.runtime.session
        text = day_message_text(DayMessage(ar=wanted.message_ar, fr=wanted.message_fr))

        def apply() -> None:
            session.settings = replace(
                session.settings,
                idle_timeout_s=float(wanted.idle_timeout_s),
                languages=tuple(Lang(code) for code in wanted.languages),
            )
            session.set_message_of_the_day(text)

        self.run_on_ui(apply)
