"""The virtual cards' applets, read in-process by the real reading code."""

from __future__ import annotations

import pytest

from drivers.card.apdu import Apdu
from drivers.card.applets import BadgeApplet, BlankApplet, EmrtdApplet, atr_bytes, td1_mrz
from drivers.card.badge import pin_block
from drivers.card.interface import CardEvent, CardKind
from drivers.card.mrz import BacKey
from drivers.card.simulator import AppletChannel, SimulatedCardReader
from drivers.errors import (
    AuthenticationFailed,
    CardRemoved,
    DeviceTimeout,
    DeviceUnavailable,
    UnknownCard,
)
from protocol.health import HealthState

KEY = BacKey("AB123456", "900115", "300101")
MRZ = td1_mrz("AB123456", "900115", "300101", "BENNANI", "YOUSSEF", sex="M")


def test_document_read_through_the_simulated_reader() -> None:
    reader = SimulatedCardReader()
    events: list[CardEvent] = []
    reader.add_listener(lambda event, _name: events.append(event))
    reader.insert(EmrtdApplet(MRZ, KEY))
    assert reader.wait_for_card(0.1)
    assert reader.card_kind() is CardKind.EMRTD
    dg1 = reader.read_document(KEY)
    assert (dg1.surname, dg1.given_names, dg1.sex) == ("BENNANI", "YOUSSEF", "M")
    reader.remove()
    assert events == [CardEvent.CARD_INSERTED, CardEvent.CARD_REMOVED]
    with pytest.raises(CardRemoved):
        reader.read_document(KEY)


def test_wrong_mrz_pulled_and_slow_cards() -> None:
    reader = SimulatedCardReader()
    reader.insert(EmrtdApplet(MRZ, KEY))
    with pytest.raises(AuthenticationFailed):
        reader.read_document(BacKey("AB123457", "900115", "300101"))
    card = reader.insert(EmrtdApplet(MRZ, KEY))
    card.pull_after_apdus = 3
    with pytest.raises(CardRemoved):
        reader.read_document(KEY)
    card = reader.insert(EmrtdApplet(MRZ, KEY))
    card.delay_s = 0.2
    with pytest.raises(DeviceTimeout):
        reader.read_document(KEY, timeout=0.05)


def test_files_need_secure_messaging_and_a_bad_mac_ends_the_session() -> None:
    applet = EmrtdApplet(MRZ, KEY)
    channel = AppletChannel(applet)
    channel.transmit(bytes.fromhex("00A4040C07A0000002471001"))
    assert channel.transmit(bytes.fromhex("00A4020C020101"))[1] == 0x6982
    assert channel.transmit(bytes.fromhex("0CB0000004"))[1] == 0x6988


def test_unknown_card_and_unplugged_reader() -> None:
    reader = SimulatedCardReader()
    reader.insert(BlankApplet())
    assert reader.card_kind() is CardKind.UNKNOWN
    with pytest.raises(UnknownCard):
        reader.read_document(KEY)
    with pytest.raises(UnknownCard):
        reader.read_badge("1234")
    reader.plugged = False
    assert reader.health().state is HealthState.ABSENT
    with pytest.raises(DeviceUnavailable):
        reader.read_document(KEY)


def test_badge_pin_counter() -> None:
    reader = SimulatedCardReader()
    reader.insert(BadgeApplet(bytes.fromhex("04AABBCC"), "2468", tries=2))
    assert reader.card_kind() is CardKind.BADGE
    assert reader.read_badge("2468").serial == "04AABBCC"
    with pytest.raises(AuthenticationFailed, match="1 tries left"):
        reader.read_badge("1357")
    with pytest.raises(AuthenticationFailed, match="blocked"):
        reader.read_badge("1357")
    with pytest.raises(AuthenticationFailed, match="blocked"):
        reader.read_badge("2468")


def test_pin_block_format() -> None:
    assert pin_block("1234") == b"1234\xff\xff\xff\xff"
    with pytest.raises(ValueError, match="4 to 8 digits"):
        pin_block("12a4")


def test_atr_has_a_valid_check_byte() -> None:
    atr = atr_bytes(b"SIJILLMRTD")
    check = 0
    for b in atr[1:]:
        check ^= b
    assert check == 0
    assert atr[1] & 0x0F == len(b"SIJILLMRTD")


def test_badge_serial_is_answered_without_selecting() -> None:
    applet = BadgeApplet(bytes.fromhex("0102"), "1234")
    assert applet.process(Apdu(0xFF, 0xCA, 0, 0, le=0).to_bytes()) == bytes.fromhex("01029000")
