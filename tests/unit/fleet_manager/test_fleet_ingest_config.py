"""Ingest classification, configuration layering, charts, history folding, i18n."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fleet_manager.charts import line_chart
from fleet_manager.configs import ConfigCache, ConfigError, Scope, ScopedVersion, check_overrides
from fleet_manager.history import fold
from fleet_manager.ingest import classify
from fleet_manager.models import TelemetrySample
from fleet_manager.web.i18n import pick_language, translator
from protocol.codec import Rejected, encode
from protocol.messages import AckStatus, CommandAck, Presence, TerminalState
from protocol.topics import TerminalChannel, Topics

TOPICS = Topics("t/sijill/v1")


def test_classify_accepts_and_refuses_with_a_code() -> None:
    state = TerminalState(terminal_id="kiosk-1", presence=Presence.ONLINE)
    topic = TOPICS.terminal("kiosk-1", TerminalChannel.STATE)
    assert classify(TOPICS, topic, encode(state)) == state
    other = TOPICS.terminal("kiosk-2", TerminalChannel.STATE)
    cases = {
        "id_mismatch": (other, encode(state)),
        "malformed": (topic, b"\xff\xfe"),
        "oversized": (topic, b"x" * 70_000),
        "bad_topic": ("elsewhere/x", encode(state)),
        "empty": (topic, b""),
    }
    for code, (t, payload) in cases.items():
        result = classify(TOPICS, t, payload)
        assert isinstance(result, Rejected)
        assert result.code == code
    cmd = TOPICS.terminal("kiosk-1", TerminalChannel.CMD)
    refused = classify(TOPICS, cmd, encode(state))
    assert isinstance(refused, Rejected)
    assert refused.code == "bad_topic"
    ack = CommandAck(
        command_id="00000000-0000-0000-0000-000000000001",
        terminal_id="kiosk-1",
        status=AckStatus.SUCCEEDED,
    )
    assert classify(TOPICS, TOPICS.terminal("kiosk-1", TerminalChannel.CMD_ACK), encode(ack)) == ack


def _v(version: int, scope: Scope, scope_id: str, **overrides: object) -> ScopedVersion:
    return ScopedVersion(version, scope, scope_id, dict(overrides), "op")


def test_layers_merge_and_newest_version_wins() -> None:
    cache = ConfigCache()
    assert cache.effective("kiosk-1", "MK01", None) is None
    cache.put(_v(1, Scope.FLEET, "*", telemetry_interval_s=20))
    cache.put(_v(2, Scope.OFFICE, "MK01", log_level="DEBUG"))
    cache.put(_v(3, Scope.TERMINAL, "kiosk-9", telemetry_interval_s=5))
    cache.put(_v(4, Scope.GROUP, "pilot", idle_timeout_s=30))
    eff = cache.effective("kiosk-1", "MK01", None)
    assert eff is not None
    assert eff.config_version == 2
    assert eff.settings.telemetry_interval_s == 20
    assert eff.settings.log_level == "DEBUG"
    pilot = cache.effective("kiosk-1", "MK01", "pilot")
    assert pilot is not None
    assert pilot.config_version == 4
    assert pilot.settings.idle_timeout_s == 30
    cache.put(_v(5, Scope.OFFICE, "MK01"))  # a later, empty office layer
    eff = cache.effective("kiosk-1", "MK01", None)
    assert eff is not None
    assert (eff.config_version, eff.settings.log_level) == (5, "INFO")
    cache.put(_v(2, Scope.OFFICE, "MK01", log_level="DEBUG"))  # older: ignored
    assert cache.latest[(Scope.OFFICE, "MK01")].version == 5


def test_overrides_are_checked() -> None:
    assert check_overrides({"log_level": "ERROR"}) == {"log_level": "ERROR"}
    with pytest.raises(ConfigError, match="telemetry_interval_s"):
        check_overrides({"telemetry_interval_s": 0})
    with pytest.raises(ConfigError, match="colour"):
        check_overrides({"colour": "red"})


def test_chart_is_inline_svg_and_handles_gaps() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    svg = line_chart(
        [(t0, 10.0), (t0 + timedelta(minutes=1), None), (t0 + timedelta(minutes=2), 50.0)],
        "CPU <%>",
        100,
    )
    assert svg.startswith("<svg")
    assert "CPU &lt;%&gt;" in svg
    assert svg.count(",") >= 2
    assert "polyline" in svg
    assert "polyline" not in line_chart([(t0, 1.0)], "x")


def test_fold_aggregates_by_terminal_and_hour() -> None:
    t0 = datetime(2026, 1, 1, 9, 10, tzinfo=UTC)
    rows = [
        TelemetrySample(
            terminal_id="a",
            ts=t0,
            cpu_pct=10,
            mem_pct=40,
            disk_free_pct=50,
            outbox_pending=0,
            printer="ok",
        ),
        TelemetrySample(
            terminal_id="a",
            ts=t0 + timedelta(minutes=20),
            cpu_pct=30,
            mem_pct=None,
            disk_free_pct=45,
            outbox_pending=3,
            printer="error",
        ),
        TelemetrySample(terminal_id="a", ts=t0 + timedelta(hours=1), cpu_pct=5),
    ]
    out = fold(rows)
    first = out[("a", datetime(2026, 1, 1, 9, tzinfo=UTC))]
    assert first == {
        "samples": 2,
        "cpu_avg": 20.0,
        "mem_avg": 40.0,
        "disk_free_min": 45,
        "outbox_max": 3,
        "not_ok": 1,
    }
    assert out[("a", datetime(2026, 1, 1, 10, tzinfo=UTC))]["samples"] == 1


def test_language_choice_and_texts() -> None:
    assert pick_language("ar", "fr", None) == "ar"
    assert pick_language(None, None, "ar-MA,ar;q=0.9") == "ar"
    assert pick_language("xx", None, "en") == "fr"
    assert translator("ar")("alerts") == "التنبيهات"
    assert translator("fr")("alerts") == "Alertes"
