"""Settings of the records backend (env prefix ``SIJILL_RECORDS_``, TOML section ``[records]``)."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from protocol.topics import DEFAULT_ROOT
from sijill.settings import ServiceSettings


class RecordsSettings(ServiceSettings):
    """Where the registry lives, how tokens are signed, how long things last."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_RECORDS_", extra="ignore")

    toml_section: ClassVar[str] = "records"
    secret_fields: ClassVar[tuple[str, ...]] = ("signing_key",)

    port: int = Field(default=8100, ge=0, le=65535)
    #: Ed25519 private key (PEM). In development a key is generated once and kept in the
    #: data directory; production refuses to start without one.
    signing_key: SecretStr | None = None
    token_issuer: str = "sijill-records"  # noqa: S105  (a name)
    token_audience: str = "sijill"  # noqa: S105  (a name)
    token_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    #: A login session ends after this long even if tokens keep being refreshed.
    session_ttl_seconds: int = Field(default=8 * 3600, ge=60)
    max_failed_logins: int = Field(default=5, ge=1)
    lockout_seconds: int = Field(default=900, ge=1)
    #: argon2id cost; tests lower it, production keeps the library's recommended values.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=8)
    #: Apply pending migrations when the server starts.
    migrate_on_startup: bool = True
    #: Insert the Meknes offices when they are missing (reference data).
    ensure_offices: bool = True
    #: A request not collected within this many days expires.
    request_ttl_days: int = Field(default=90, ge=1)
    #: Public (unauthenticated) look-ups allowed per client address and minute.
    public_rate_per_minute: int = Field(default=10, ge=1)
    #: Reverse proxies whose X-Forwarded-For is believed (their own addresses).
    trusted_proxies: list[str] = Field(default_factory=list)
    #: Largest code block a terminal may reserve at once.
    max_code_block: int = Field(default=500, ge=1)
    #: Broker for office events; unset means events are not published. The demo sets
    #: SIJILL_MQTT_HOST / SIJILL_MQTT_PORT for every service.
    mqtt_host: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SIJILL_RECORDS_MQTT_HOST", "SIJILL_MQTT_HOST", "mqtt_host"),
    )
    mqtt_port: int = Field(
        default=1883,
        validation_alias=AliasChoices("SIJILL_RECORDS_MQTT_PORT", "SIJILL_MQTT_PORT", "mqtt_port"),
    )
    mqtt_topic_root: str = DEFAULT_ROOT
    #: Who may read /metrics without a token: networks or addresses (default: this machine).
    metrics_networks: list[str] = Field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    #: Bearer token a Prometheus elsewhere presents to read /metrics (never in the repository:
    #: environment or the TOML file). Unset: only metrics_networks may read them.
    metrics_token: SecretStr | None = None
    #: Database pool size for PostgreSQL.
    pool_size: int = Field(default=10, ge=1)
    #: The fleet manager (base URL) whose kiosk usage the statistics page shows; unset: the
    #: page says it is not configured.
    fleet_url: str | None = None

    @field_validator("metrics_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item.strip(), strict=False)  # ValueError names the bad one
        return value

    @field_validator("metrics_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("the metrics token must have at least 32 characters")
        return value

    def database_url_resolved(self) -> str:
        return self.resolved_database_url("records.db")
