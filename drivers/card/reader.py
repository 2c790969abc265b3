"""The card reader the kiosk holds: the PC/SC monitor plus document and badge reading."""

from __future__ import annotations

import logging

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from drivers.card import badge, emrtd
from drivers.card.apdu import CardChannel
from drivers.card.channel import PcscChannel
from drivers.card.interface import BadgeIdentity, CardKind, CardListener
from drivers.card.mrz import BacKey, Dg1
from drivers.card.pcsc import ReaderMonitor
from drivers.errors import DeviceUnavailable, UnknownCard
from protocol.health import DeviceHealth
from sijill.settings import ServiceSettings

log = logging.getLogger(__name__)


class CardReaderSettings(ServiceSettings):
    """``SIJILL_CARD_*`` variables or the ``[card]`` section of the configuration file."""

    model_config = SettingsConfigDict(env_prefix="SIJILL_CARD_", extra="ignore")
    toml_section = "card"

    reader_match: str = "Virtual PCD 00 00"  # part of the PC/SC reader name
    poll_s: float = Field(default=0.1, gt=0, le=5)
    apdu_timeout_s: float = Field(default=3.0, gt=0, le=60)


def identify(channel: CardChannel, timeout: float) -> CardKind:
    try:
        emrtd.select_application(channel, timeout)
        return CardKind.EMRTD
    except UnknownCard:
        pass
    try:
        badge.select_badge(channel, timeout)
        return CardKind.BADGE
    except UnknownCard:
        return CardKind.UNKNOWN


class PcscCardReader:
    """``CardReader`` over pcscd. Identity data read here is returned, never logged."""

    def __init__(self, reader_match: str, poll_s: float = 0.1, apdu_timeout_s: float = 3.0) -> None:
        self.monitor = ReaderMonitor(reader_match, poll_s)
        self.apdu_timeout_s = apdu_timeout_s

    @classmethod
    def from_settings(cls, settings: CardReaderSettings) -> PcscCardReader:
        return cls(settings.reader_match, settings.poll_s, settings.apdu_timeout_s)

    def open(self) -> None:
        self.monitor.start()

    def close(self) -> None:
        self.monitor.stop()

    def health(self) -> DeviceHealth:
        return self.monitor.health()

    def add_listener(self, listener: CardListener) -> None:
        self.monitor.add_listener(listener)

    def wait_for_card(self, timeout: float) -> bool:
        return self.monitor.wait_for(lambda s: s.card_present, timeout)

    def wait_for_reader(self, timeout: float) -> bool:
        return self.monitor.wait_for(lambda s: s.reader is not None, timeout)

    def _channel(self, timeout: float) -> PcscChannel:
        reader = self.monitor.state.reader
        if reader is None:
            raise DeviceUnavailable("card reader not connected")
        return PcscChannel(reader).connect(timeout)

    def card_kind(self, timeout: float | None = None) -> CardKind:
        """Timeouts (per APDU) default to the configured ``apdu_timeout_s``."""
        limit = timeout or self.apdu_timeout_s
        with self._channel(limit) as channel:
            return identify(channel, limit)

    def read_document(self, key: BacKey, timeout: float | None = None) -> Dg1:
        limit = timeout or self.apdu_timeout_s
        with self._channel(limit) as channel:
            return emrtd.read_dg1(channel, key, limit)

    def read_badge(self, pin: str, timeout: float | None = None) -> BadgeIdentity:
        limit = timeout or self.apdu_timeout_s
        with self._channel(limit) as channel:
            return badge.read_badge(channel, pin, limit)
