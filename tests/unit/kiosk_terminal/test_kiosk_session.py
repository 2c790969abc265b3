# mypy: disable-error-code="comparison-overlap,unreachable"
# (each action changes the step mypy narrowed in the assertion before it)
"""The kiosk session: navigation, inactivity timeout, collection, status, guide."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from functools import partial

import pytest

from kiosk_terminal.core.lookup import CollectJourney, CollectStep, StatusJourney, StatusStep
from kiosk_terminal.core.model import IdentifyMethod, Lang, NameQuery, RequestState
from kiosk_terminal.core.procedures import GuideJourney, ProceduresCatalog
from kiosk_terminal.core.request import RequestJourney
from kiosk_terminal.core.schedule import add_working_days, format_date
from kiosk_terminal.core.session import Screen
from protocol.codes import RequestCode
from protocol.qr import ReceiptQr
from tests.unit.kiosk_terminal.kiosk_fakes import make_kit


def test_idle_journey_warns_then_resets_and_forgets_everything() -> None:
    kit, session = make_kit()
    session.wake()
    session.choose_language(Lang.FR)
    session.toggle_large_text()
    session.start_request()
    journey = session.journey
    assert isinstance(journey, RequestJourney)
    journey.choose_method(IdentifyMethod.NAME)
    journey.name(NameQuery("Salma", "Bennani", date(1988, 7, 1)))
    assert journey.holds_personal_data
    ref = weakref.ref(journey)
    del journey
    kit.clock.t += 59
    session.tick()
    assert not session.warning
    kit.clock.t += 1
    session.tick()
    assert session.warning
    session.activity()  # "I am still here"
    assert not session.warning
    kit.clock.t += 74
    session.tick()
    assert session.warning
    assert session.screen is Screen.REQUEST
    kit.clock.t += 1
    session.tick()
    assert session.screen is Screen.ATTRACT
    assert session.journey is None
    assert session.language is Lang.AR
    assert not session.large_text
    assert not session.warning
    gc.collect()
    assert ref() is None


def test_attract_loop_never_times_out_and_busy_journeys_are_not_cut() -> None:
    kit, session = make_kit()
    changes: list[Screen] = []
    session.subscribe(lambda: changes.append(session.screen))
    kit.clock.t += 10_000
    session.tick()
    assert changes == []
    session.wake()
    session.choose_language(Lang.AR)
    session.start_request()
    journey = session.journey
    assert isinstance(journey, RequestJourney)
    journey.step = journey.step.__class__.SUBMITTING  # as if the send were in progress
    kit.clock.t += 10_000
    session.tick()
    assert session.screen is Screen.REQUEST


def test_scanning_a_ready_request_at_home_prints_a_ticket_for_its_counter() -> None:
    kit, session = make_kit()
    code, secret = kit.backend.make_ready(counter="5")
    session.wake()
    session.choose_language(Lang.AR)
    session.scanned(ReceiptQr(code, secret).encode())
    assert session.screen is Screen.COLLECT
    journey = session.journey
    assert isinstance(journey, CollectJourney)
    assert journey.step is CollectStep.TICKET
    ticket = kit.devices.printed[0][1]
    assert ticket.ticket
    assert ticket.counter == "5"
    assert ticket.code == code


def test_collect_not_ready_invalid_and_backend_down() -> None:
    kit, session = make_kit()
    session.start_collect()
    journey = session.journey
    assert isinstance(journey, CollectJourney)
    code, secret = kit.backend.make_ready()
    kit.backend.statuses[code] = kit.backend.statuses[code].__class__(code, RequestState.APPROVED)
    journey.scanned(ReceiptQr(code, secret).encode())
    assert journey.step is CollectStep.NOT_READY
    journey.again()
    journey.scanned("https://example.org/not-a-receipt")
    assert journey.step is CollectStep.INVALID
    journey.scanned(ReceiptQr(code, "WRNGSECX").encode())
    assert journey.step is CollectStep.INVALID
    assert journey.reason == "unknown_request"
    kit.backend.online = False
    journey.scanned(ReceiptQr(code, secret).encode())
    assert journey.step is CollectStep.UNAVAILABLE
    assert kit.devices.printed == []


def test_status_by_typed_code_catches_typos_and_hides_the_counter() -> None:
    kit, session = make_kit()
    code, secret = kit.backend.make_ready(counter="2")
    session.start_status()
    journey = session.journey
    assert isinstance(journey, StatusJourney)
    text = str(code)
    typo = text[:-3] + ("1" if text[-3] != "1" else "2") + text[-2:]
    journey.typed(typo)
    assert journey.step is StatusStep.ENTER
    assert journey.reason == "invalid_code"
    journey.typed(text.lower().replace("-", " "))
    assert journey.step is StatusStep.RESULT
    assert journey.status is not None
    assert journey.status.ready
    assert journey.status.counter is None
    journey.again()
    journey.scanned(ReceiptQr(code, secret).encode())
    assert journey.status is not None
    assert journey.status.counter == "2"
    journey.typed(str(RequestCode("MK07", 2026, 17)))
    assert journey.step is StatusStep.NOT_FOUND


def test_maintenance_and_message_of_the_day() -> None:
    _, session = make_kit()
    session.wake()
    session.set_maintenance(True)
    assert session.screen is Screen.OUT_OF_SERVICE
    session.home()
    assert session.screen is Screen.OUT_OF_SERVICE
    session.set_maintenance(False)
    assert session.screen is Screen.ATTRACT
    session.set_message_of_the_day("Fermé vendredi après-midi")
    assert session.message_of_the_day == "Fermé vendredi après-midi"


def test_guide_lists_every_procedure_in_each_language() -> None:
    _, session = make_kit()
    for lang in (Lang.AR, Lang.FR, Lang.EN):
        session.choose_language(lang)
        session.start_guide()
        guide = session.journey
        assert isinstance(guide, GuideJourney)
        topics = guide.topics()
        assert [t.id for t in topics] == [
            "birth_declaration",
            "death_declaration",
            "extract_or_full_copy",
            "family_booklet",
            "rectification",
            "marriage_divorce",
        ]
        for topic in topics:
            assert topic.bring
            assert topic.where
            assert topic.fees
            assert topic.delay
        guide.open("birth_declaration")
        assert guide.current is not None
        assert guide.back()
        assert not guide.back()


def test_guide_arabic_really_is_arabic_and_catalog_has_no_errors() -> None:
    catalog = ProceduresCatalog()
    assert catalog.errors == []
    title = catalog.get("death_declaration", Lang.AR).title
    assert any("\u0600" <= ch <= "\u06ff" for ch in title)
    # Tamazight has no texts yet: French is shown rather than nothing.
    assert catalog.get("death_declaration", Lang.ZGH) == catalog.get("death_declaration", Lang.FR)


def test_working_days_and_dates_in_words() -> None:
    friday = date(2026, 11, 27)
    assert add_working_days(friday, 1) == date(2026, 11, 30)
    assert format_date(date(2026, 11, 26), Lang.AR) == "الخميس 26 نونبر 2026"
    assert format_date(date(2026, 8, 3), Lang.FR) == "lundi 3 août 2026"
    assert format_date(date(2026, 8, 3), Lang.ZGH) == "ⴰⵢⵏⴰⵙ 3 ⵖⵓⵛⵜ 2026"


def test_a_scanned_receipt_barcode_shows_the_status_and_is_ignored_mid_request() -> None:
    kit, session = make_kit()
    code, _ = kit.backend.make_ready()
    session.wake()
    session.scanned_code(str(code))
    assert session.screen is Screen.STATUS
    journey = session.journey
    assert isinstance(journey, StatusJourney)
    assert journey.step is StatusStep.RESULT
    session.start_request()
    session.scanned_code(str(code))
    assert session.screen is Screen.REQUEST


def test_a_document_ready_at_another_office_gets_no_ticket_here() -> None:
    kit, session = make_kit()
    code, secret = kit.backend.make_ready()
    kit.backend.statuses[code] = replace(kit.backend.statuses[code], office="MK03")
    session.start_collect()
    journey = session.journey
    assert isinstance(journey, CollectJourney)
    journey.scanned(ReceiptQr(code, secret).encode())
    assert journey.step is CollectStep.OTHER_OFFICE
    assert kit.devices.printed == []


class Deferred:
    """A background that keeps the work until the test lets it run (as a slow backend)."""

    def __init__(self) -> None:
        self.pending: list[tuple[Callable[[], None], Callable[[], None]]] = []

    def __call__(self, work: Callable[[], None], done: Callable[[], None]) -> None:
        self.pending.append((work, done))

    def finish(self) -> None:
        work, done = self.pending.pop(0)
        work()
        done()


def test_a_look_up_waits_holding_input_and_the_timeout_then_shows_its_result() -> None:
    kit, session = make_kit()
    deferred = Deferred()
    session.background = deferred
    renders: list[bool] = []
    session.subscribe(lambda: renders.append(session.waiting))
    code, secret = kit.backend.make_ready(counter="5")
    session.scanned(ReceiptQr(code, secret).encode())
    journey = session.journey
    assert isinstance(journey, CollectJourney)
    assert session.waiting
    assert renders[-1] is True  # the screen is told to show it is busy
    assert journey.step is CollectStep.SCAN  # nothing asked yet
    session.scanned(ReceiptQr(code, secret).encode())  # a second scan meanwhile: dropped
    session.scanned_code(str(code))
    session.card_inserted()
    assert len(deferred.pending) == 1
    kit.clock.t += 500  # a backend slower than any timeout: the journey is not cut
    session.tick()
    assert not session.warning
    assert session.journey is journey
    deferred.finish()
    assert not session.waiting
    assert renders[-1] is False
    assert journey.step is CollectStep.TICKET
    assert kit.devices.printed


def test_maintenance_asked_during_a_look_up_applies_when_it_ends() -> None:
    _kit, session = make_kit()
    deferred = Deferred()
    session.background = deferred
    session.wake()
    session.choose_language(Lang.FR)
    session.start_request()
    journey = session.journey
    assert isinstance(journey, RequestJourney)
    journey.choose_method(IdentifyMethod.NAME)
    session.look_up(partial(journey.name, NameQuery("Salma", "Bennani", date(1988, 7, 1))))
    session.set_maintenance(True)
    assert session.screen is Screen.REQUEST
    assert session.journey is journey
    deferred.finish()
    assert session.screen is Screen.OUT_OF_SERVICE
    assert session.journey is None


def test_a_failing_look_up_still_ends_the_wait() -> None:
    _kit, session = make_kit()

    def broken() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        session.look_up(broken)
    assert not session.waiting
