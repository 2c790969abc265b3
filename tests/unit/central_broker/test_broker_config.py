"""The Mosquitto configuration generator and the broker command line (no broker started)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from central_broker.cli import app
from central_broker.config import TlsSettings, fleet_acl, loopback_config, production_config


def test_loopback_is_local_anonymous_and_persistent() -> None:
    text = loopback_config(18830, Path("/data/mq")).render()
    assert "listener 18830 127.0.0.1" in text
    assert "allow_anonymous true" in text
    assert "persistence_location /data/mq/" in text
    assert "set_tcp_nodelay true" in text
    assert "user " not in text


def test_production_has_tls_acl_and_no_anonymous() -> None:
    tls = TlsSettings(Path("/ca.pem"), Path("/broker.pem"), Path("/broker.key"))
    text = production_config(Path("/var/lib/mosquitto"), tls, Path("/etc/acl")).render()
    lines = text.splitlines()
    for expected in (
        "allow_anonymous false",
        "acl_file /etc/acl",
        "listener 8883 0.0.0.0",
        "cafile /ca.pem",
        "require_certificate true",
        "use_identity_as_username true",
        "set_tcp_nodelay true",
        "persistence true",
    ):
        assert expected in lines


def test_acl_confines_terminals_to_their_subtree() -> None:
    acl = fleet_acl(("fleet",), ("records",), root="r/v1").splitlines()
    assert "pattern write r/v1/terminal/%u/telemetry" in acl
    assert "pattern read r/v1/terminal/%u/cmd" in acl
    assert not any(line.startswith("pattern write") and line[-4:] == "/cmd" for line in acl)
    fleet = acl.index("user fleet")
    assert acl[fleet + 1] == "topic read r/v1/#"
    records = acl.index("user records")
    assert acl[records + 1] == "topic write r/v1/office/+/request-ready"


def test_cli_prints_configurations() -> None:
    runner = CliRunner()
    plain = runner.invoke(app, ["config", "--port", "1999", "--data-dir", "/tmp/x"])
    assert plain.exit_code == 0
    assert "listener 1999 127.0.0.1" in plain.output
    refused = runner.invoke(app, ["config", "--production"])
    assert refused.exit_code != 0
    acl = runner.invoke(app, ["acl", "--fleet-user", "fm", "--root", "a/b"])
    assert "user fm" in acl.output
    assert "pattern write a/b/terminal/%u/state" in acl.output
