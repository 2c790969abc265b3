"""The card reader through the real pcscd, vpcd's virtual reader and Sijill's virtual cards."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date

import pytest

from drivers.card.applets import BadgeApplet, BlankApplet, EmrtdApplet, td1_mrz
from drivers.card.interface import CardEvent, CardKind
from drivers.card.mrz import BacKey
from drivers.card.pcscd import Pcscd
from drivers.card.reader import PcscCardReader
from drivers.card.simulator import VirtualCard
from drivers.errors import AuthenticationFailed, CardRemoved, DeviceTimeout, DeviceUnavailable
from protocol.health import HealthState

pytestmark = pytest.mark.integration

KEY = BacKey("AB123456", "900115", "300101")
MRZ = td1_mrz("AB123456", "900115", "300101", "EL IDRISSI", "FATIMA ZAHRA", sex="F")


@pytest.fixture
def reader(pcscd: Pcscd) -> Iterator[PcscCardReader]:
    card_reader = PcscCardReader("Virtual PCD 00 00", poll_s=0.05)
    card_reader.open()
    # Start from an empty reader: pcscd may still be noticing the previous test's card leave.
    assert card_reader.monitor.wait_for(lambda s: s.reader is not None and not s.card_present, 20)
    yield card_reader
    card_reader.close()


def insert(reader: PcscCardReader, cards: list[VirtualCard], card: VirtualCard) -> VirtualCard:
    cards.append(card.insert(timeout=20))
    assert reader.wait_for_card(20)
    return card


def remove(reader: PcscCardReader, card: VirtualCard) -> None:
    card.remove()
    assert reader.monitor.wait_for(lambda s: not s.card_present, 20)


def test_reads_dg1_of_the_virtual_id_card(
    reader: PcscCardReader, cards: list[VirtualCard], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[CardEvent] = []
    reader.add_listener(lambda event, _name: events.append(event))
    card = insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    assert reader.card_kind() is CardKind.EMRTD
    dg1 = reader.read_document(KEY, timeout=5)
    assert (dg1.surname, dg1.given_names) == ("EL IDRISSI", "FATIMA ZAHRA")
    assert dg1.document_number == "AB123456"
    assert dg1.birth_date == date(1990, 1, 15)
    assert dg1.expiry_date == date(2030, 1, 1)
    assert (dg1.sex, dg1.nationality, dg1.document_code) == ("F", "MAR", "ID")
    assert dg1.checks_ok
    assert "FATIMA" not in repr(dg1)
    remove(reader, card)
    assert events[-2:] == [CardEvent.CARD_INSERTED, CardEvent.CARD_REMOVED]
    assert "card reader event" in caplog.text  # the logs were captured…
    for secret in ("FATIMA", "IDRISSI", "AB123456", "900115", "300101"):
        assert secret not in caplog.text  # …and hold no identity data


def test_wrong_mrz_is_refused_and_the_right_one_then_works(
    reader: PcscCardReader, cards: list[VirtualCard]
) -> None:
    insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    with pytest.raises(AuthenticationFailed):
        reader.read_document(BacKey("AB123456", "900116", "300101"))
    assert reader.read_document(KEY).surname == "EL IDRISSI"


def test_card_pulled_between_apdus(reader: PcscCardReader, cards: list[VirtualCard]) -> None:
    card = insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    card.pull_after_apdus = 4  # after SELECT, GET CHALLENGE, EXT AUTH, SELECT DG1
    with pytest.raises((CardRemoved, DeviceUnavailable)):
        reader.read_document(KEY)
    assert reader.monitor.wait_for(lambda s: not s.card_present, 20)
    assert reader.health().state is HealthState.OK  # the reader itself is fine


def test_slow_card_times_out_then_a_good_card_reads(
    reader: PcscCardReader, cards: list[VirtualCard]
) -> None:
    slow = insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    slow.delay_s = 1.5
    started = time.monotonic()
    with pytest.raises(DeviceTimeout):
        reader.read_document(KEY, timeout=0.4)
    assert time.monotonic() - started < 1.4  # bounded by our timeout, not the card
    remove(reader, slow)
    insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    assert reader.read_document(KEY).document_number == "AB123456"


def test_unknown_card_is_reported(reader: PcscCardReader, cards: list[VirtualCard]) -> None:
    insert(reader, cards, VirtualCard(BlankApplet()))
    assert reader.card_kind() is CardKind.UNKNOWN
    with pytest.raises(Exception, match="no eMRTD application"):
        reader.read_document(KEY)


def test_staff_badge_serial_and_pin(reader: PcscCardReader, cards: list[VirtualCard]) -> None:
    applet = BadgeApplet(serial=bytes.fromhex("04A1B2C3D4E5F6"), pin="4821", tries=3)
    insert(reader, cards, VirtualCard(applet))
    assert reader.card_kind() is CardKind.BADGE
    assert reader.read_badge("4821").serial == "04A1B2C3D4E5F6"
    with pytest.raises(AuthenticationFailed, match="2 tries left"):
        reader.read_badge("0000")
    assert reader.read_badge("4821").serial == "04A1B2C3D4E5F6"  # counter reset
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            reader.read_badge("1111")
    with pytest.raises(AuthenticationFailed, match="blocked"):
        reader.read_badge("1111")
    with pytest.raises(AuthenticationFailed, match="blocked"):
        reader.read_badge("4821")


def test_no_card_wait_is_bounded(reader: PcscCardReader) -> None:
    started = time.monotonic()
    assert not reader.wait_for_card(0.3)
    assert time.monotonic() - started < 1.0


def test_reader_gone_with_pcscd_and_back(
    pcscd: Pcscd, reader: PcscCardReader, cards: list[VirtualCard]
) -> None:
    events: list[CardEvent] = []
    reader.add_listener(lambda event, _name: events.append(event))
    card = insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    assert pcscd.owned, (
        "this test stops pcscd: stop the system's pcscd (systemctl stop pcscd.socket pcscd) "
        "so that the tests start their own"
    )
    pcscd.stop()
    assert reader.monitor.wait_for(lambda s: not s.service, 20)
    health = reader.health()
    assert health.state is HealthState.ABSENT
    assert health.reason is not None
    assert "pcscd" in health.reason
    with pytest.raises(DeviceUnavailable):
        reader.read_document(KEY)
    assert CardEvent.READER_REMOVED in events
    assert CardEvent.SERVICE_DOWN in events
    card.remove()
    pcscd.start()
    assert reader.wait_for_reader(20)  # the same monitor found it again by itself
    insert(reader, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    assert reader.read_document(KEY).surname == "EL IDRISSI"
    assert events.count(CardEvent.SERVICE_UP) >= 1
