"""Settings shared by every Sijill service.

Each service subclasses :class:`ServiceSettings` with its own ``env_prefix``; values come from
the environment, then from an optional TOML file (``SIJILL_CONFIG``), then the defaults here.
In production mode a secret left at its development default is refused at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Mode = Literal["development", "production"]


def default_data_dir() -> Path:
    return Path(os.environ.get("SIJILL_DATA_DIR", "var")).resolve()


class ServiceSettings(BaseSettings):
    """Common knobs: where to listen, where data lives, which mode, how to log."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_", extra="ignore")

    #: Section of the TOML file this service reads (``[records]``, ``[fleet]``…).
    toml_section: ClassVar[str] = ""
    #: Names of SecretStr fields that must not keep their default in production.
    secret_fields: ClassVar[tuple[str, ...]] = ()

    mode: Mode = "development"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("SIJILL_CONFIG")
        if config_file:
            sources.append(_SectionToml(settings_cls, Path(config_file), cls.toml_section))
        sources.append(file_secret_settings)
        return tuple(sources)

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ServiceSettings:
        if self.mode != "production":
            return self
        for name in self.secret_fields:
            value = getattr(self, name)
            default = type(self).model_fields[name].default
            if value is None or (
                isinstance(value, SecretStr)
                and isinstance(default, SecretStr)
                and value.get_secret_value() == default.get_secret_value()
            ):
                raise ValueError(f"{name} must be set explicitly in production mode")
        if self.database_url is None or self.database_url.startswith("sqlite"):
            raise ValueError("production mode needs a PostgreSQL database_url")
        return self

    def resolved_database_url(self, filename: str) -> str:
        """The configured URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / filename}"


class _SectionToml(TomlConfigSettingsSource):
    """Reads one ``[section]`` of a TOML file (top-level keys apply to every service)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path, section: str) -> None:
        super().__init__(settings_cls, toml_file=path)
        data = dict(self.toml_data)
        merged = {k: v for k, v in data.items() if not isinstance(v, dict)}
        if section and isinstance(data.get(section), dict):
            merged.update(data[section])
        self.toml_data = merged
        self.init_kwargs = merged
