"""Message models and topics: round trips, and rejections with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from protocol.codec import Rejected, decode, encode
from protocol.health import DeviceHealth, DeviceKind, HealthState
from protocol.messages import (
    DAY_MESSAGE_MAX,
    AckStatus,
    Command,
    CommandAck,
    CommandName,
    DayMessage,
    Event,
    EventKind,
    OfflineReason,
    Presence,
    RequestReady,
    Telemetry,
    TerminalConfig,
    TerminalSettings,
    TerminalState,
)
from protocol.topics import (
    OfficeChannel,
    OfficeTopic,
    TerminalChannel,
    TerminalTopic,
    TopicError,
    Topics,
)
from protocol.version import MAX_PAYLOAD_BYTES

terminal_ids = st.from_regex(r"\A[a-z0-9][a-z0-9-]{1,20}\Z")
offices = st.from_regex(r"\A[0-9A-HJKMNP-TV-Y]{2,6}\Z")
stamps = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
healths = st.one_of(
    st.builds(DeviceHealth.ok),
    st.builds(DeviceHealth.degraded, st.text(min_size=1, max_size=50)),
    st.builds(DeviceHealth.error, st.text(min_size=1, max_size=50)),
    st.builds(DeviceHealth.absent, st.text(min_size=1, max_size=50)),
)
telemetry = st.builds(
    Telemetry,
    terminal_id=terminal_ids,
    ts=stamps,
    seq=st.integers(0, 2**40),
    uptime_s=st.floats(0, 1e7),
    devices=st.dictionaries(st.sampled_from(list(DeviceKind)), healths),
    outbox_pending=st.integers(0, 10_000),
    disk_free_pct=st.none() | st.floats(0, 100),
)
states = st.builds(
    TerminalState,
    terminal_id=terminal_ids,
    presence=st.sampled_from(list(Presence)),
    reason=st.none() | st.sampled_from(list(OfflineReason)),
    ts=stamps,
    config_version=st.none() | st.integers(0, 10_000),
)
events = st.builds(
    Event,
    terminal_id=terminal_ids,
    ts=stamps,
    kind=st.sampled_from(list(EventKind)),
    data=st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=20), max_size=5),
)
commands = st.builds(
    lambda name, issued, ttl: Command(
        name=name, issued_at=issued, deadline=issued + timedelta(seconds=ttl), issued_by="op"
    ),
    st.sampled_from(list(CommandName)),
    stamps,
    st.integers(1, 3600),
)
acks = st.builds(
    CommandAck,
    command_id=st.uuids(),
    terminal_id=terminal_ids,
    status=st.sampled_from(list(AckStatus)),
    ts=stamps,
)
configs = st.builds(
    TerminalConfig,
    config_version=st.integers(1, 10_000),
    issued_at=stamps,
    issued_by=st.text(min_size=1, max_size=20),
    settings=st.builds(TerminalSettings, telemetry_interval_s=st.floats(1, 3600)),
)
ready = st.builds(
    RequestReady, office=offices, request_code=st.just("MK07-2026-004213-4"), ts=stamps
)


@given(st.one_of(telemetry, states, events, commands, acks, configs, ready))
def test_every_message_round_trips(message: BaseModel) -> None:
    assert decode(type(message), encode(message)) == message


def test_wrong_version_is_rejected_with_reason() -> None:
    payload = json.loads(encode(TerminalState(terminal_id="k-1", presence=Presence.ONLINE)))
    payload["v"] = 2
    result = decode(TerminalState, json.dumps(payload))
    assert isinstance(result, Rejected)
    assert result.code == "wrong_version"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"", "empty"),
        (b"\xff\xfe", "malformed"),
        (b"{not json", "malformed"),
        (b"[1, 2]", "malformed"),
        (b'{"terminal_id": "k-1"}', "no_version"),
        (b'{"v": 1, "terminal_id": "K 1", "presence": "online"}', "invalid"),
        (b'{"v": 1, "terminal_id": "k-1", "presence": "online", "extra": 1}', "invalid"),
        (
            b'{"v": 1, "terminal_id": "k-1", "presence": "online", "ts": "2026-01-01T00:00:00"}',
            "invalid",
        ),
        (
            b'{"v": 1, "terminal_id": "k-1", "presence": "online"}' + b" " * MAX_PAYLOAD_BYTES,
            "oversized",
        ),
    ],
)
def test_bad_payloads_are_rejected_not_raised(payload: bytes, code: str) -> None:
    result = decode(TerminalState, payload)
    assert isinstance(result, Rejected)
    assert result.code == code
    assert result.reason
    assert not result


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(payload: bytes) -> None:
    result = decode(Telemetry, payload)
    assert isinstance(result, (Rejected, Telemetry))


def test_health_needs_a_reason_unless_ok() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        DeviceHealth(state=HealthState.ERROR)
    assert DeviceHealth.error("paper out").reason == "paper out"


def test_command_deadline_must_follow_issue_and_expires() -> None:
    now = datetime.now(UTC)
    with pytest.raises(ValueError, match="deadline"):
        Command(name=CommandName.PING, issued_at=now, deadline=now, issued_by="op")
    cmd = Command(
        name=CommandName.PING, issued_at=now, deadline=now + timedelta(seconds=5), issued_by="op"
    )
    assert not cmd.expired(now)
    assert cmd.expired(now + timedelta(seconds=6))


@given(terminal_ids, st.sampled_from(list(TerminalChannel)))
def test_terminal_topics_round_trip(terminal_id: str, channel: TerminalChannel) -> None:
    topics = Topics("test-abc/sijill/v1")
    parsed = topics.parse(topics.terminal(terminal_id, channel))
    assert parsed == TerminalTopic(terminal_id, channel)


@given(offices)
def test_office_topics_round_trip(office: str) -> None:
    topics = Topics()
    topic = topics.office(office, OfficeChannel.REQUEST_READY)
    assert topic == f"sijill/v1/office/{office}/request-ready"
    assert topics.parse(topic) == OfficeTopic(office, OfficeChannel.REQUEST_READY)


@pytest.mark.parametrize(
    "topic",
    [
        "other/v1/terminal/k-1/state",
        "sijill/v1/terminal/k-1",
        "sijill/v1/terminal/K_1/state",
        "sijill/v1/terminal/k-1/unknown",
        "sijill/v1/terminal/+/state",
        "sijill/v1/office/mk07/request-ready",
        "sijill/v1/robot/k-1/state",
    ],
)
def test_foreign_topics_are_refused(topic: str) -> None:
    with pytest.raises(TopicError):
        Topics().parse(topic)


def test_builders_refuse_wildcards_in_ids() -> None:
    with pytest.raises(TopicError):
        Topics().terminal("k/#", TerminalChannel.CMD)
    assert Topics().all_terminals(TerminalChannel.STATE) == "sijill/v1/terminal/+/state"


def test_day_message_is_bounded_one_line_and_blank_means_none() -> None:
    message = DayMessage.model_validate({"ar": "  مرحبا  ", "fr": ""})
    assert (message.ar, message.fr, message.empty) == ("مرحبا", None, False)
    assert DayMessage.model_validate({}).empty
    assert DayMessage(fr="x" * DAY_MESSAGE_MAX).fr == "x" * DAY_MESSAGE_MAX
    for bad in ({"fr": "x" * (DAY_MESSAGE_MAX + 1)}, {"ar": 3}, {"en": "hi"}, {"fr": "a\nb"}):
        with pytest.raises(ValidationError):
            DayMessage.model_validate(bad)


def test_settings_carry_an_optional_day_message() -> None:
    assert TerminalSettings().message_ar is None
    config = TerminalConfig(
        config_version=2, issued_by="op", settings=TerminalSettings(message_fr=" Fermé ")
    )
    decoded = decode(TerminalConfig, encode(config))
    assert isinstance(decoded, TerminalConfig)
    assert decoded.settings.message_fr == "Fermé"
    assert isinstance(decode(TerminalConfig, encode(config).replace(b"Ferm", b"F" * 200)), Rejected)
