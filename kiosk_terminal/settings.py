"""The kiosk's settings: ``SIJILL_KIOSK_*`` environment variables or ``[kiosk]`` in the TOML."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from sijill.settings import ServiceSettings

LangCode = Literal["ar", "fr", "en", "zgh"]


class KioskSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SIJILL_KIOSK_", extra="ignore")
    toml_section: ClassVar[str] = "kiosk"

    terminal_id: str = Field(default="mk07-k01", pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    office_code: str = "MK07"
    office_name_ar: str = "مكتب الحالة المدنية حمرية"
    office_name_fr: str = "Bureau d'état civil Hamria"
    counter_ar: str = "الشباك رقم 3"
    counter_fr: str = "Guichet 3"
    backend_url: str | None = None
    #: The terminal's API token (``sjt_…``) issued by the records backend at enrolment.
    backend_token: SecretStr | None = None
    #: Which card reader: "pcsc" (pcscd, the reader whose name contains ``card_reader``, or
    #: the first one when that is empty), "simulated" (in-process, for the demo and tests),
    #: "none"; "auto": pcsc when ``card_reader`` is set, else simulated with ``--simulated``.
    card: Literal["auto", "pcsc", "simulated", "none"] = "auto"
    card_reader: str | None = None  # part of the PC/SC reader name to use
    card_timeout_s: float = Field(default=8.0, gt=0, le=60)  # per APDU while reading the chip
    scanner: bool = True  # the serial barcode scanner (its own SIJILL_SCANNER_* settings)
    backend_timeout_s: float = Field(default=5.0, gt=0, le=60)
    idle_timeout_s: float = Field(default=60.0, ge=10, le=600)
    warning_s: float = Field(default=15.0, ge=5, le=120)
    #: Offered on the language choice in this order; a language whose catalogue does not
    #: translate the required screen texts yet is left out (and logged).
    languages: tuple[LangCode, ...] = ("ar", "fr", "en", "zgh")
    speech: bool = True
    clips_dir: Path | None = None
    fullscreen: bool = True
    window_width: int = 1280
    window_height: int = 1024
    printer_profile: str = "TM-T20II"
    printer_connection: Literal["network", "serial", "usb", "file"] = "network"
    printer_host: str = "127.0.0.1"
    printer_port: int = Field(default=9100, ge=1, le=65535)
    printer_serial_device: str = "/dev/ttyUSB0"
    printer_file: Path = Path("/dev/usb/lp0")
    #: The fleet broker; None: no MQTT agent (a kiosk on its own).
    mqtt_host: str | None = None
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    topic_root: str = "sijill/v1"
    #: Request codes to reserve at a time, and when to ask for more.
    code_block_size: int = Field(default=200, ge=10, le=10_000)
    code_low_water: int = Field(default=40, ge=1)
    #: How often the background worker drains the outbox and checks the printer.
    worker_interval_s: float = Field(default=2.0, gt=0, le=60)
