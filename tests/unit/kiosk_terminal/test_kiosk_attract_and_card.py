# mypy: disable-error-code="comparison-overlap,unreachable"
# (each action changes the step mypy narrowed in the assertion before it)
"""The attract loop's slides and timing; which card reader the settings choose; card retries."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from drivers.card.simulator import SimulatedCardReader
from kiosk_terminal.core.attract import SLIDES, AttractLoop, AttractTiming, languages_shown
from kiosk_terminal.core.model import CardKeys, IdentifyMethod, Lang
from kiosk_terminal.core.request import RequestJourney, RequestStep
from kiosk_terminal.core.session import Screen
from kiosk_terminal.i18n import Translator
from kiosk_terminal.runtime import card_mode, make_card_reader
from kiosk_terminal.settings import KioskSettings
from kiosk_terminal.ui.messages import card_failure_text
from tests.unit.kiosk_terminal.kiosk_fakes import make_kit

S = RequestStep


def test_attract_loop_cycles_the_slides_in_order_and_wraps() -> None:
    loop = AttractLoop()
    assert [s.key for s in loop.slides] == ["request", "collect", "status", "guide"]
    seen = [loop.current.key]
    for _ in range(len(SLIDES)):
        seen.append(loop.advance().key)
    assert seen == ["request", "collect", "status", "guide", "request"]
    assert loop.position == (0, 4)
    assert loop.timing == AttractTiming(slide_s=6.0, fade_s=0.4)
    assert loop.timing.fade_s * 2 < loop.timing.slide_s  # a slide is read, not only faded


def test_message_of_the_day_is_the_second_slide_and_the_loop_keeps_its_place() -> None:
    loop = AttractLoop()
    loop.advance()
    loop.advance()  # on "status"
    loop.set_notice("الشباك 2 مغلق\nGuichet 2 fermé")
    assert [s.key for s in loop.slides] == ["request", "message", "collect", "status", "guide"]
    assert loop.current.key == "status"
    assert loop.slides[1].notice == "الشباك 2 مغلق\nGuichet 2 fermé"
    loop.set_notice(None)
    assert loop.current.key == "status"
    loop.set_notice("x")
    loop.index = 1
    loop.set_notice("")  # cleared while it was on screen: back to the first slide
    assert loop.current.key == "request"


def test_every_slide_is_translated_in_arabic_and_french_and_arabic_comes_first() -> None:
    assert languages_shown((Lang.FR, Lang.EN, Lang.AR)) == (Lang.AR, Lang.FR, Lang.EN)
    assert languages_shown((Lang.AR, Lang.FR, Lang.EN, Lang.ZGH))[0] is Lang.AR
    for slide in SLIDES:
        english = Translator("en")(slide.message)
        for lang in ("ar", "fr", "zgh"):
            assert Translator(lang)(slide.message) != english, (lang, slide.key)


def test_session_restarts_the_loop_when_it_forgets_a_citizen() -> None:
    _kit, session = make_kit()
    session.attract.advance()
    session.wake()
    session.choose_language(Lang.FR)
    session.finish()
    assert session.screen is Screen.ATTRACT
    assert session.attract.current.key == "request"
    session.set_message_of_the_day("Fermé demain")
    assert session.attract.notice == "Fermé demain"


def test_settings_choose_the_card_reader(tmp_path: Path) -> None:
    def mode(simulated: bool = False, **kwargs: Any) -> str:
        return card_mode(KioskSettings(data_dir=tmp_path, **kwargs), simulated)

    assert mode() == "none"
    assert mode(simulated=True) == "simulated"
    assert mode(card_reader="Virtual PCD 00 00") == "pcsc"
    assert mode(simulated=True, card_reader="ACS ACR39U") == "pcsc"
    assert mode(simulated=True, card="none") == "none"
    assert mode(card="pcsc") == "pcsc"
    reader = make_card_reader(KioskSettings(data_dir=tmp_path, card="simulated"), False)
    assert isinstance(reader, SimulatedCardReader)
    assert make_card_reader(KioskSettings(data_dir=tmp_path, card="none"), True) is None


def test_card_already_in_the_reader_skips_the_insert_step_and_retry_follows_the_card() -> None:
    kit, session = make_kit()
    session.wake()
    session.choose_language(Lang.AR)
    session.card_inserted()  # a card left in the reader before the request started
    session.start_request()
    journey = session.journey
    assert isinstance(journey, RequestJourney)
    journey.choose_method(IdentifyMethod.CARD, session.card_present)
    assert journey.step is S.CARD_KEYS
    kit.devices.card_error = "removed"
    journey.card_keys(CardKeys("AB123456", date(1990, 3, 4), date(2030, 1, 1)))
    assert journey.step is S.CARD_FAILED
    session.card_removed()  # the reader saw it leave
    session.retry_card()
    assert journey.step is S.CARD_INSERT
    session.card_inserted()
    assert journey.step is S.CARD_KEYS
    kit.devices.card_error = "keys"
    journey.card_keys(CardKeys("AB123456", date(1990, 3, 4), date(2031, 1, 1)))
    assert journey.step is S.CARD_FAILED
    session.retry_card()  # wrong keys, card still in: type them again
    assert journey.step is S.CARD_KEYS


def test_each_card_failure_has_its_own_message_in_arabic_and_french() -> None:
    reasons = ("keys", "removed", "absent", "not_id_card", "unreadable")
    for lang in ("ar", "fr"):
        texts = {card_failure_text(reason, Translator(lang)) for reason in reasons}
        assert len(texts) == len(reasons), lang
        english = {card_failure_text(reason, Translator("en")) for reason in reasons}
        assert not texts & english, lang


def test_rendering_environment_is_set_unless_the_service_already_chose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kiosk_terminal.ui.config import configure_rendering

    monkeypatch.delenv("LP_NUM_THREADS", raising=False)
    configure_rendering()
    assert os.environ["LP_NUM_THREADS"] == "0"  # llvmpipe rasterizes on the UI thread
    monkeypatch.setenv("LP_NUM_THREADS", "2")
    configure_rendering()
    assert os.environ["LP_NUM_THREADS"] == "2"
    unit = Path(__file__).resolve().parents[3] / "kiosk_terminal/deploy/sijill-kiosk.service"
    text = unit.read_text(encoding="utf-8")
    for line in ("LP_NUM_THREADS=0", "MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=65536"):
        assert f"Environment={line}" in text
    assert "Type=notify" in text
    assert "WatchdogSec=" in text
