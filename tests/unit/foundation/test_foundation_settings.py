"""Settings: environment, TOML sections, and production refusing unsafe defaults."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from sijill.logs import configure_logging
from sijill.settings import ServiceSettings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SIJILL_EXAMPLE_", extra="ignore")
    toml_section: ClassVar[str] = "example"
    secret_fields: ClassVar[tuple[str, ...]] = ("signing_key",)

    port: int = 8300
    signing_key: SecretStr = SecretStr("development-only")


def test_defaults_use_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = ExampleSettings(data_dir=tmp_path)
    assert settings.port == 8300
    assert settings.resolved_database_url("x.db") == f"sqlite:///{tmp_path}/x.db"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIJILL_EXAMPLE_PORT", "9001")
    monkeypatch.setenv("SIJILL_EXAMPLE_DATA_DIR", str(tmp_path))
    settings = ExampleSettings()
    assert settings.port == 9001
    assert settings.data_dir == tmp_path


def test_toml_section_applies_under_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "sijill.toml"
    config.write_text('log_level = "DEBUG"\n[example]\nport = 9100\n[other]\nport = 1\n')
    monkeypatch.setenv("SIJILL_CONFIG", str(config))
    assert ExampleSettings().port == 9100
    assert ExampleSettings().log_level == "DEBUG"
    monkeypatch.setenv("SIJILL_EXAMPLE_PORT", "9200")
    assert ExampleSettings().port == 9200


def test_production_refuses_default_secret_and_sqlite() -> None:
    with pytest.raises(ValidationError, match="signing_key must be set"):
        ExampleSettings(mode="production", database_url="postgresql+psycopg://db/x")
    with pytest.raises(ValidationError, match="PostgreSQL"):
        ExampleSettings(mode="production", signing_key=SecretStr("a-real-secret"))
    ok = ExampleSettings(
        mode="production",
        signing_key=SecretStr("a-real-secret"),
        database_url="postgresql+psycopg://db/x",
    )
    assert ok.resolved_database_url("ignored.db") == "postgresql+psycopg://db/x"


def test_json_logs_carry_service_level_and_fields(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json", service="example")
    logging.getLogger("sijill.test").info("hello", extra={"ignored": True})
    logging.getLogger("sijill.test").debug("hidden")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    assert len(lines) == 1
    assert lines[0]["event"] == "hello"
    assert lines[0]["level"] == "info"
    assert lines[0]["service"] == "example"
    assert lines[0]["logger"] == "sijill.test"
