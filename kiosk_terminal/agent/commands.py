"""Command dispatch rules, apart from MQTT: deadline, known name, duplicates, outcome."""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from protocol.codec import Rejected, decode
from protocol.health import Scalar
from protocol.messages import AckStatus, Command, CommandAck, CommandName, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandResult:
    ok: bool = True
    detail: str | None = None
    result: dict[str, Scalar] = field(default_factory=dict)


#: A handler runs the command and says how it went; raising counts as a failure.
CommandHandler = Callable[[Command], CommandResult]


class CommandDispatcher:
    """Turns a command payload into acks; remembers recent ids so redeliveries re-ack."""

    def __init__(
        self,
        terminal_id: str,
        handlers: Mapping[CommandName, CommandHandler],
        remember: int = 256,
    ) -> None:
        self.terminal_id = terminal_id
        self.handlers = dict(handlers)
        self._seen: OrderedDict[UUID, CommandAck] = OrderedDict()
        self._remember = remember

    def receive(
        self, payload: bytes, now: datetime | None = None
    ) -> tuple[Command | None, list[CommandAck]]:
        """Decide what to do with a payload: (command to run or None, acks to send now)."""
        now = now or utcnow()
        decoded = decode(Command, payload)
        if isinstance(decoded, Rejected):
            command_id = _salvage_id(payload)
            log.warning("command refused: %s", decoded.reason)
            if command_id is None:
                return None, []
            return None, [self._ack(command_id, AckStatus.REJECTED, decoded.reason[:200])]
        command = decoded
        previous = self._seen.get(command.command_id)
        if previous is not None:  # QoS 1 may deliver twice: repeat the outcome, never rerun
            return None, [previous]
        if command.expired(now):
            return None, [self._final(command, AckStatus.EXPIRED, "arrived after its deadline")]
        if command.name not in self.handlers:
            return None, [self._final(command, AckStatus.REJECTED, "not supported here")]
        return command, [self._ack(command.command_id, AckStatus.ACCEPTED)]

    def run(self, command: Command) -> CommandAck:
        handler = self.handlers[command.name]
        if command.expired():
            return self._final(command, AckStatus.EXPIRED, "deadline passed before it ran")
        try:
            outcome = handler(command)
        except Exception as exc:  # a handler's failure is reported, never fatal
            log.exception("command %s failed", command.name)
            return self._final(command, AckStatus.FAILED, f"{type(exc).__name__}: {exc}"[:200])
        status = AckStatus.SUCCEEDED if outcome.ok else AckStatus.FAILED
        return self._final(command, status, outcome.detail, outcome.result)

    def _final(
        self,
        command: Command,
        status: AckStatus,
        detail: str | None = None,
        result: dict[str, Scalar] | None = None,
    ) -> CommandAck:
        ack = self._ack(command.command_id, status, detail, result)
        self._seen[command.command_id] = ack
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        return ack

    def _ack(
        self,
        command_id: UUID,
        status: AckStatus,
        detail: str | None = None,
        result: dict[str, Scalar] | None = None,
    ) -> CommandAck:
        return CommandAck(
            command_id=command_id,
            terminal_id=self.terminal_id,
            status=status,
            detail=detail,
            result=result or {},
        )


def _salvage_id(payload: bytes) -> UUID | None:
    """The id of a command we refuse, so the sender learns why instead of timing out."""
    try:
        data = json.loads(payload)
        return UUID(str(data["command_id"])) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError):
        return None
