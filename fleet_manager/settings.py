"""Fleet manager settings (``SIJILL_FLEET_*`` or the ``[fleet]`` section of the TOML file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from protocol.topics import DEFAULT_ROOT
from sijill.settings import ServiceSettings


class FleetSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SIJILL_FLEET_", extra="ignore")
    toml_section: ClassVar[str] = "fleet"

    port: int = Field(default=8200, ge=0, le=65535)

    # --- broker ------------------------------------------------------------------------
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = 1883
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_cafile: Path | None = None
    mqtt_certfile: Path | None = None
    mqtt_keyfile: Path | None = None
    topic_root: str = DEFAULT_ROOT
    #: Let the broker queue messages for the ingest while it is down (events, acks).
    mqtt_persistent_session: bool = False
    #: Start the broker ingest with the service (tests of the web part alone turn it off).
    ingest_enabled: bool = True

    # --- status ------------------------------------------------------------------------
    #: A terminal is offline once it missed this many heartbeats (plus the grace below).
    missed_heartbeats: float = 2.0
    heartbeat_grace_s: float = 0.5
    sweep_interval_s: float = 0.25
    #: Command time-outs, escalations and alert counts are checked this often.
    housekeeping_interval_s: float = 5.0
    #: ``always`` or ``HH:MM-HH:MM`` in the offices' time zone; outside, offline is "closed".
    office_hours: str = "always"
    office_days: str = "mon,tue,wed,thu,fri"
    office_timezone: str = "Africa/Casablanca"

    # --- telemetry history ---------------------------------------------------------------
    #: Terminals that only sent telemetry are written this often (status changes: 1 s).
    telemetry_flush_s: float = 5.0
    history_sample_s: float = 60.0  # at most one stored sample per terminal per period
    history_raw_hours: float = 48.0  # raw samples kept this long, then folded into hours
    history_rollup_days: float = 90.0
    events_keep_days: float = 30.0
    #: Kiosk usage (daily counts, status changes for availability) is kept this long.
    usage_keep_days: float = 800.0

    # --- alerts --------------------------------------------------------------------------
    alert_offline_after_s: float = 0.0  # offline is an alert at once (hysteresis clears it)
    alert_raise_after_s: float = 30.0  # a condition must hold this long to open an alert
    alert_clear_after_s: float = 60.0  # and be gone this long to resolve it
    alert_escalate_after_s: float = 900.0
    outbox_stuck_after_s: float = 900.0
    disk_low_pct: float = 10.0
    disk_clear_pct: float = 15.0
    clock_skew_s: float = 120.0
    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "fleet@sijill.local"
    mail_to: tuple[str, ...] = ()
    escalation_mail_to: tuple[str, ...] = ()

    # --- commands ------------------------------------------------------------------------
    command_timeout_s: float = 120.0
    command_ack_grace_s: float = 5.0

    # --- staff sign-in -------------------------------------------------------------------
    #: The records backend (base URL): staff sign in with its accounts, and its public key
    #: verifies their tokens unless a key file or key URL is given below.
    records_url: str | None = None
    #: The records backend's Ed25519 public key (PEM file), or a URL serving it.
    auth_public_key_path: Path | None = None
    auth_public_key_url: str | None = None
    #: Claims the records backend puts in its tokens (None: not checked).
    auth_issuer: str | None = "sijill-records"
    auth_audience: str | None = "sijill"
    #: Where the sign-in page points staff for their account (shown as a link).
    auth_login_url: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shared_broker_address(cls, data: Any) -> Any:
        """The demo supervisor gives every service the broker as ``SIJILL_MQTT_HOST/PORT``."""
        if isinstance(data, dict):
            for field, env in (
                ("mqtt_host", "SIJILL_MQTT_HOST"),
                ("mqtt_port", "SIJILL_MQTT_PORT"),
            ):
                if field not in data and f"SIJILL_FLEET_{field.upper()}" not in os.environ:
                    value = os.environ.get(env)
                    if value:
                        data[field] = value
        return data

    @model_validator(mode="after")
    def _auth_in_production(self) -> FleetSettings:
        if self.mode == "production" and self.key_source is None:
            raise ValueError(
                "production mode needs records_url, auth_public_key_path or auth_public_key_url"
            )
        return self

    @property
    def key_source(self) -> Path | str | None:
        if self.auth_public_key_path:
            return self.auth_public_key_path
        if self.auth_public_key_url:
            return self.auth_public_key_url
        if self.records_url:
            return self.records_url.rstrip("/") + "/api/v1/auth/public-key.pem"
        return None

    @property
    def open_access(self) -> bool:
        """Development without a key: every visitor is a local operator (never in production)."""
        return self.mode == "development" and self.key_source is None

    def database(self) -> str:
        return self.resolved_database_url("fleet.db")
