"""The terminal agent's command rules: deadline, unknown name, duplicates, failures."""

from __future__ import annotations

from datetime import timedelta

from kiosk_terminal.agent import CommandDispatcher, CommandResult
from protocol.codec import encode
from protocol.messages import AckStatus, Command, CommandName, utcnow


def cmd(name: CommandName = CommandName.PING, seconds: float = 30) -> Command:
    now = utcnow()
    return Command(
        name=name,
        issued_at=now - timedelta(seconds=60),
        deadline=now + timedelta(seconds=seconds),
        issued_by="t",
    )


def boom(_c: Command) -> CommandResult:
    raise OSError("no paper")


def test_accept_run_and_repeat() -> None:
    d = CommandDispatcher("kiosk-1", {CommandName.PING: lambda c: CommandResult(result={"x": 1})})
    c = cmd()
    command, acks = d.receive(encode(c))
    assert command == c
    assert [a.status for a in acks] == [AckStatus.ACCEPTED]
    final = d.run(c)
    assert (final.status, final.result) == (AckStatus.SUCCEEDED, {"x": 1})
    again, repeat = d.receive(encode(c))  # QoS 1 redelivery: same outcome, not rerun
    assert again is None
    assert repeat == [final]


def test_expired_unknown_failed_and_malformed() -> None:
    d = CommandDispatcher("kiosk-1", {CommandName.PRINT_TEST: boom})
    late = cmd(seconds=-1)
    assert [a.status for a in d.receive(encode(late))[1]] == [AckStatus.EXPIRED]
    assert d.receive(encode(cmd(CommandName.REBOOT)))[1][0].status is AckStatus.REJECTED
    failing = cmd(CommandName.PRINT_TEST)
    ack = d.run(failing)
    assert ack.status is AckStatus.FAILED
    assert ack.detail == "OSError: no paper"
    assert d.receive(b"garbage") == (None, [])
    bad = encode(cmd()).replace(b'"ping"', b'"nuke"')
    _, acks = d.receive(bad)
    assert acks[0].status is AckStatus.REJECTED
