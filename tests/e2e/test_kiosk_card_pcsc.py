"""The kiosk's card journey on the real PC/SC stack, against the real records backend.

The kiosk's card reader is the one its settings choose (``card = "pcsc"``): pyscard → pcscd →
vpcd's "Virtual PCD 00 00" → Sijill's virtual identity card (an eMRTD applet on the vpcd
socket). Card events come from the reader's own monitor thread and reach the session through
a queue drained here, as the app's Clock would on its UI thread. The records backend is its
FastAPI app on SQLite over its HTTP interface, holding two acts with the card holder's names
and birth date: the kiosk asks for the parents' names to tell them apart.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from datetime import time as dt_time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drivers.card.applets import BlankApplet, EmrtdApplet, td1_mrz
from drivers.card.mrz import BacKey
from drivers.card.pcscd import Pcscd
from drivers.card.reader import PcscCardReader
from drivers.card.simulator import VirtualCard
from drivers.printer.decode import decode
from kiosk_terminal.core.model import (
    ActReference,
    CardKeys,
    DocumentKind,
    IdentifyMethod,
    Lang,
    Parents,
)
from kiosk_terminal.core.request import RequestJourney, RequestStep
from kiosk_terminal.i18n import Translator
from kiosk_terminal.runtime import KioskRuntime, build_runtime, make_card_reader
from kiosk_terminal.services.backend_http import HttpBackend
from kiosk_terminal.settings import KioskSettings
from kiosk_terminal.ui.messages import card_failure_text
from protocol.qr import ReceiptQr
from records_backend.app import create_app
from records_backend.audit.log import Actor
from records_backend.domain.roles import Role
from records_backend.services.accounts import create_terminal
from records_backend.services.bulk import BulkAct, BulkLoader
from records_backend.services.principal import Principal
from records_backend.settings import RecordsSettings
from tests.integration.records_backend import records_helpers as helpers

pytestmark = pytest.mark.e2e
TERMINAL = "kiosk-mk01-02"
READER = "Virtual PCD 00 00"
# The holder as the chip knows him: Latin names, birth date, card number and expiry.
NUMBER, BORN, EXPIRES = "BK451278", "900514", "310622"
KEY = BacKey(NUMBER, BORN, EXPIRES)
MRZ = td1_mrz(NUMBER, BORN, EXPIRES, "EL ALAOUI", "MOHAMED", sex="M")
KEYS = CardKeys(NUMBER, date(1990, 5, 14), date(2031, 6, 22))
_ARABIC = range(0x0621, 0x064B)


@dataclass
class Kiosk:
    runtime: KioskRuntime
    reader: PcscCardReader
    ui: queue.Queue[Callable[[], None]]
    backend: TestClient
    clerk: dict[str, str]
    acts: list[str]  # the two acts' references

    def pump(self, until: Callable[[], bool], timeout: float = 20.0) -> bool:
        """Run what the devices queued for the UI thread until ``until()`` holds."""
        deadline = time.monotonic() + timeout
        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with contextlib.suppress(queue.Empty):
                self.ui.get(timeout=min(0.1, left))()
        return True

    @property
    def journey(self) -> RequestJourney:
        journey = self.runtime.session.journey
        assert isinstance(journey, RequestJourney)
        return journey


def _typed(fields: dict[str, Any]) -> dict[str, Any]:
    """The API's JSON fields as the bulk loader takes them (dates and times as objects)."""
    out = dict(fields)
    for name, value in fields.items():
        if name.endswith("_date") and isinstance(value, str):
            out[name] = date.fromisoformat(value)
        elif name == "event_time" and isinstance(value, str):
            out[name] = dt_time.fromisoformat(value)
    return out


def _load_acts(client: TestClient, *acts: dict[str, Any]) -> list[str]:
    """Registered birth acts, loaded as the demo data is (no staff keying); their references."""
    state = helpers.app_state(client)
    with state.sessions() as session:
        loader = BulkLoader(session, Actor("system"), action="act.demo_load")
        loader.load([BulkAct("MK01", "birth", _typed(fields)) for fields in acts])
        session.commit()
    return [ActReference("MK01", 1990, fields["number"]).text for fields in acts]


@pytest.fixture
def kiosk(pcscd: Pcscd, tmp_path: Path) -> Iterator[Kiosk]:
    settings = RecordsSettings(
        data_dir=tmp_path / "records",
        database_url=f"sqlite:///{tmp_path / 'records.db'}",
        argon2_time_cost=1,
        argon2_memory_kib=64,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as backend:
        # Two men of the same names born the same day: only their parents tell them apart.
        acts = _load_acts(
            backend,
            helpers.birth(number=301),
            helpers.birth(
                number=302,
                father_name_lat="Driss Ben Omar El Alaoui", father_name_ar="إدريس بن عمر العلوي",
                mother_name_lat="Khadija Bent Said", mother_name_ar="خديجة بنت سعيد",
            ),
        )  # fmt: skip
        state = helpers.app_state(backend)
        with state.sessions.begin() as session:
            _terminal, token = create_terminal(session, Principal.system(), TERMINAL, "MK01")
        clerk = helpers.Staff(backend).make("clerk", [Role.CLERK], ["MK01"])
        # The reader the kiosk's settings choose, as `sijill kiosk run --card pcsc` builds it.
        kiosk_settings = KioskSettings(
            data_dir=tmp_path / "kiosk", terminal_id=TERMINAL, office_code="MK01", speech=False,
            card="pcsc", card_reader=READER, scanner=False,
        )  # fmt: skip
        reader = make_card_reader(kiosk_settings, simulated=False)
        assert isinstance(reader, PcscCardReader)
        reader.monitor.poll_s = 0.05
        reader.open()
        # Start from an empty reader: pcscd may still be noticing an earlier card leave.
        assert reader.monitor.wait_for(lambda s: s.reader is not None and not s.card_present, 20)
        runtime = build_runtime(
            kiosk_settings, simulated=True, card_reader=reader,
            backend=HttpBackend("", token, client=TestClient(backend.app)),
        )  # fmt: skip
        ui: queue.Queue[Callable[[], None]] = queue.Queue()
        runtime.attach_card_reader(ui.put)
        assert runtime.outbox.refill_codes(TERMINAL, low_water=10, size=50)
        try:
            yield Kiosk(runtime, reader, ui, backend, clerk, acts)
        finally:
            runtime.close()


def _insert(kiosk: Kiosk, cards: list[VirtualCard], card: VirtualCard) -> None:
    cards.append(card.insert(timeout=20))
    assert kiosk.reader.wait_for_card(20)


def _start_card_journey(kiosk: Kiosk, lang: Lang) -> RequestJourney:
    session = kiosk.runtime.session
    session.wake()
    session.choose_language(lang)
    session.start_request()
    kiosk.journey.choose_method(IdentifyMethod.CARD, session.card_present)
    return kiosk.journey


def _step(journey: RequestJourney) -> RequestStep:
    return journey.step  # read afresh: the journey moves under the session's calls


def _holds(journey: RequestJourney) -> bool:
    return journey.holds_personal_data


def _data_files(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_card_read_through_pcscd_finds_the_holders_act_and_prints_a_receipt(
    kiosk: Kiosk, cards: list[VirtualCard], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    session = kiosk.runtime.session
    journey = _start_card_journey(kiosk, Lang.AR)
    assert _step(journey) is RequestStep.CARD_INSERT

    _insert(kiosk, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    # The reader's monitor thread says "inserted"; the session moves on to the card's keys.
    assert kiosk.pump(lambda: journey.step is RequestStep.CARD_KEYS)
    assert session.card_present

    session.look_up(partial(journey.card_keys, KEYS))
    assert _step(journey) is RequestStep.PARENTS, journey.reason  # two acts match the chip
    assert _holds(journey)
    session.look_up(partial(journey.parents, Parents("Driss", "Khadija")))
    assert _step(journey) is RequestStep.DOCUMENT, journey.reason
    assert journey.act_reference == kiosk.acts[1]
    assert not _holds(journey)  # the search terms went once the act was found

    journey.choose_document(DocumentKind.EXTRACT, copies=1)
    assert _step(journey) is RequestStep.CONFIRM  # the holder asks for his own act
    assert journey.requester_name == "MOHAMED EL ALAOUI"
    journey.confirm()
    assert journey.run_submission() is RequestStep.DONE, journey.reason
    accepted = journey.accepted
    assert accepted is not None
    assert not accepted.pending

    paper = kiosk.runtime.simulated_paper
    assert paper is not None
    printed = decode(bytes(paper.printed))
    assert len(printed.receipts) == 1
    receipt_png = tmp_path / "card-receipt.png"
    printed.receipts[0].convert("L").save(receipt_png)
    qr = ReceiptQr(accepted.code, accepted.secret).encode()
    if shutil.which("zbarimg"):
        read = subprocess.run(
            ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(receipt_png)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert read.stdout.strip() == qr

    # The counter opens the request from the receipt: the right act, the holder's name.
    found = kiosk.backend.post("/api/v1/requests/lookup", headers=kiosk.clerk, json={"qr": qr})
    assert found.status_code == 200, found.text
    request = found.json()
    assert request["act_reference"] == kiosk.acts[1]
    assert request["requester_name"] == "MOHAMED EL ALAOUI"
    assert request["requester_relation"] == "self"

    # Nothing from the chip beyond what the request needs was written on the terminal: not
    # the card number, its expiry, nor the MRZ (the outbox, its WAL, the print journal).
    session.finish()
    stored = _data_files(tmp_path / "kiosk")
    for chip_only in (NUMBER, EXPIRES, "2031-06-22", MRZ[:30], MRZ[30:60], "<<"):
        assert chip_only.encode() not in stored, chip_only
    ours = [
        r.getMessage()
        for r in caplog.records
        if r.name.split(".")[0] in ("kiosk_terminal", "drivers", "httpx", "httpcore")
    ]
    for secret in (NUMBER, "MOHAMED", "ALAOUI", BORN, EXPIRES, "Driss", "Khadija"):
        assert not any(secret in message for message in ours), secret


def test_card_pulled_mid_read_says_so_and_the_citizen_retries(
    kiosk: Kiosk, cards: list[VirtualCard]
) -> None:
    session = kiosk.runtime.session
    journey = _start_card_journey(kiosk, Lang.FR)
    card = VirtualCard(EmrtdApplet(MRZ, KEY))
    _insert(kiosk, cards, card)
    assert kiosk.pump(lambda: journey.step is RequestStep.CARD_KEYS)

    card.pull_after_apdus = 3  # the hand takes the card back in the middle of BAC
    session.look_up(partial(journey.card_keys, KEYS))
    assert _step(journey) is RequestStep.CARD_FAILED
    assert journey.reason == "removed"
    assert not _holds(journey)
    french = card_failure_text(journey.reason, Translator("fr"))
    arabic = card_failure_text(journey.reason, Translator("ar"))
    assert "carte" in french
    assert "retirée" in french
    assert any(ord(c) in _ARABIC for c in arabic)
    assert arabic != card_failure_text(journey.reason, Translator("en"))

    assert kiosk.reader.monitor.wait_for(lambda s: not s.card_present, 20)
    assert kiosk.pump(lambda: not session.card_present)
    session.retry_card()
    assert _step(journey) is RequestStep.CARD_INSERT  # the card is out: put it back first

    card.insert(timeout=20)
    assert kiosk.pump(lambda: journey.step is RequestStep.CARD_KEYS)
    session.look_up(partial(journey.card_keys, KEYS))
    assert _step(journey) is RequestStep.PARENTS, journey.reason


def test_a_card_that_is_no_identity_card_and_wrong_keys_are_told_plainly(
    kiosk: Kiosk, cards: list[VirtualCard]
) -> None:
    session = kiosk.runtime.session
    journey = _start_card_journey(kiosk, Lang.AR)
    blank = VirtualCard(BlankApplet())
    _insert(kiosk, cards, blank)
    assert kiosk.pump(lambda: journey.step is RequestStep.CARD_KEYS)
    session.look_up(partial(journey.card_keys, KEYS))
    assert _step(journey) is RequestStep.CARD_FAILED
    assert journey.reason == "not_id_card"
    for lang in ("ar", "fr"):
        text = card_failure_text(journey.reason, Translator(lang))
        assert text != card_failure_text(journey.reason, Translator("en")), lang

    blank.remove()
    cards.remove(blank)
    assert kiosk.pump(lambda: not session.card_present)
    session.retry_card()
    assert _step(journey) is RequestStep.CARD_INSERT
    _insert(kiosk, cards, VirtualCard(EmrtdApplet(MRZ, KEY)))
    assert kiosk.pump(lambda: journey.step is RequestStep.CARD_KEYS)
    session.look_up(partial(journey.card_keys, CardKeys("XX999999", KEYS.birth_date,
                                                        KEYS.expiry_date)))  # fmt: skip
    assert _step(journey) is RequestStep.CARD_FAILED
    assert journey.reason == "keys"
    session.retry_card()
    assert _step(journey) is RequestStep.CARD_KEYS  # the card is still in: type the keys again
    session.look_up(partial(journey.card_keys, KEYS))
    assert _step(journey) is RequestStep.PARENTS, journey.reason
