"""The kiosk as a whole: which screen, which language, which journey, idle and faults.

The UI observes a :class:`KioskSession` and renders its state; everything a citizen does goes
through it. ``reset`` is the one place that forgets a citizen: it drops the journey (and so
every reference to what was typed or read) and returns to the attract loop.

Look-ups that wait on the backend or the card (finding an act, reading the chip, collecting,
checking a status) go through :meth:`KioskSession.look_up`: the session says it is
``waiting`` (the screen shows it and holds input) while ``background`` runs the work. By
default the work runs at once; the app runs it on a worker thread and finishes on its own.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from kiosk_terminal.core.attract import AttractLoop
from kiosk_terminal.core.lookup import CollectJourney, StatusJourney
from kiosk_terminal.core.model import Lang
from kiosk_terminal.core.procedures import GuideJourney, ProceduresCatalog
from kiosk_terminal.core.request import EDITABLE_STEPS, RequestDeps, RequestJourney

log = logging.getLogger(__name__)


class Screen(StrEnum):
    ATTRACT = "attract"
    LANGUAGE = "language"
    HOME = "home"
    GUIDE = "guide"
    REQUEST = "request"
    COLLECT = "collect"
    STATUS = "status"
    OUT_OF_SERVICE = "out_of_service"


Journey = RequestJourney | CollectJourney | StatusJourney | GuideJourney


@dataclass(frozen=True)
class SessionSettings:
    idle_timeout_s: float = 60.0
    warning_s: float = 15.0  # how long the "are you still there?" warning stays up
    default_language: Lang = Lang.AR
    languages: tuple[Lang, ...] = (Lang.AR, Lang.FR, Lang.EN)


@dataclass
class SessionDeps:
    request: RequestDeps
    catalog: ProceduresCatalog
    monotonic: Callable[[], float] = field(default=time.monotonic)


Listener = Callable[[], None]
#: Runs ``work``, then ``done``: the app does the work on a worker thread and ``done`` back on
#: the UI thread; without a window both simply run now.
Background = Callable[[Callable[[], None], Callable[[], None]], None]


def run_now(work: Callable[[], None], done: Callable[[], None]) -> None:
    try:
        work()
    finally:
        done()


class KioskSession:
    def __init__(self, deps: SessionDeps, settings: SessionSettings | None = None) -> None:
        self.deps = deps
        self.settings = settings or SessionSettings()
        self.screen = Screen.ATTRACT
        self.language = self.settings.default_language
        self.large_text = False
        self.high_contrast = False
        self.warning = False
        self.journey: Journey | None = None
        self.printer_ok = True
        self.maintenance = False
        self.message_of_the_day: str | None = None
        self.attract = AttractLoop()  # the slides shown while nobody uses the kiosk
        self.background: Background = run_now
        self.waiting = False  # a look-up is running: input is held until it is done
        self.card_present = False  # as the reader last said (a card may stay in it)
        self._maintenance_deferred = False
        self.journeys_finished = 0
        self._last_activity = deps.monotonic()
        self._listeners: list[Listener] = []
        self.on_abandon: list[Listener] = []  # a journey left unfinished (timeout)

    # --- observation --------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    @property
    def out_of_service(self) -> bool:
        return self.maintenance or not self.printer_ok

    # --- activity and the inactivity timeout --------------------------------------------

    def activity(self) -> None:
        """Any touch: the citizen is still there."""
        self._last_activity = self.deps.monotonic()
        if self.warning:
            self.warning = False
            self.changed()

    def idle_for(self) -> float:
        return self.deps.monotonic() - self._last_activity

    def warning_left_s(self) -> float:
        """Seconds before an idle journey is reset (counts down under the warning)."""
        limit = self.settings.idle_timeout_s + self.settings.warning_s
        return max(0.0, limit - self.idle_for())

    def tick(self) -> None:
        """Called about once a second: warn, then reset an abandoned journey."""
        if self.screen in (Screen.ATTRACT, Screen.OUT_OF_SERVICE) and self.journey is None:
            return
        if self.waiting or (self.journey is not None and self.journey.busy):
            self._last_activity = self.deps.monotonic()  # never reset in the middle of I/O
            return
        idle = self.idle_for()
        if idle >= self.settings.idle_timeout_s + self.settings.warning_s:
            log.info("journey abandoned after %.0f s idle", idle)
            for listener in list(self.on_abandon):
                listener()
            self.reset()
        elif idle >= self.settings.idle_timeout_s and not self.warning:
            self.warning = True
            self.changed()

    def reset(self) -> None:
        """Forget the citizen: journey, language, display modes; back to the attract loop."""
        self.journey = None
        self.language = self.settings.default_language
        self.large_text = False
        self.high_contrast = False
        self.warning = False
        self.screen = Screen.OUT_OF_SERVICE if self.out_of_service else Screen.ATTRACT
        self.attract.restart()
        self._last_activity = self.deps.monotonic()
        self.changed()

    # --- navigation ---------------------------------------------------------------------

    def _go(self, screen: Screen, journey: Journey | None = None) -> None:
        self.activity()
        self.journey = journey
        self.screen = screen
        self.changed()

    def wake(self) -> None:
        """A touch on the attract loop."""
        self._go(Screen.LANGUAGE)

    def choose_language(self, lang: Lang) -> None:
        if lang not in self.settings.languages:
            raise ValueError(f"language {lang} not offered here")
        self.language = lang
        self._go(Screen.HOME)

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text
        self.activity()
        self.changed()

    def toggle_high_contrast(self) -> None:
        self.high_contrast = not self.high_contrast
        self.activity()
        self.changed()

    def home(self) -> None:
        self._go(Screen.OUT_OF_SERVICE if self.maintenance else Screen.HOME)

    def start_guide(self) -> None:
        self._go(Screen.GUIDE, GuideJourney(self.deps.catalog, self.language))

    def start_status(self) -> None:
        self._go(Screen.STATUS, StatusJourney(self.deps.request.backend))

    def start_request(self) -> None:
        if not self._can_print():
            self._go(Screen.OUT_OF_SERVICE)
            return
        self._go(Screen.REQUEST, RequestJourney(self.deps.request, self.language))

    def start_collect(self) -> None:
        if not self._can_print():
            self._go(Screen.OUT_OF_SERVICE)
            return
        deps = self.deps.request
        journey = CollectJourney(deps.backend, deps.devices, deps.now, deps.office.code)
        self._go(Screen.COLLECT, journey)

    def _can_print(self) -> bool:
        self.printer_ok = self.deps.request.devices.printer_ready()
        return not self.out_of_service

    def finish(self) -> None:
        """The citizen pressed "done": count it and forget them."""
        self.journeys_finished += 1
        self.reset()

    # --- devices and the fleet ----------------------------------------------------------

    def printer_changed(self, ready: bool) -> None:
        self.printer_ok = ready
        journey = self.journey
        if not ready and isinstance(journey, RequestJourney) and journey.step in EDITABLE_STEPS:
            self._go(Screen.OUT_OF_SERVICE)  # nothing was sent: drop it, say so
        elif not ready and isinstance(journey, CollectJourney):
            self._go(Screen.OUT_OF_SERVICE)
        elif not ready and journey is None and self.screen is not Screen.OUT_OF_SERVICE:
            self.screen = Screen.OUT_OF_SERVICE  # say so before anyone starts a request
            self.changed()
        elif ready and self.screen is Screen.OUT_OF_SERVICE and not self.maintenance:
            self.reset()
        else:
            self.changed()

    def look_up(self, work: Callable[[], None]) -> None:
        """Run a journey's backend or card I/O through ``background``, ``waiting`` meanwhile."""
        if self.waiting:
            return  # one at a time: a second press or scan while waiting is dropped
        self.activity()
        self.waiting = True
        self.changed()

        def done() -> None:
            self.waiting = False
            self.activity()
            if self._maintenance_deferred:
                self._maintenance_deferred = False
                self.set_maintenance(self.maintenance)  # asked for while waiting: now
            else:
                self.changed()

        self.background(work, done)

    def set_maintenance(self, on: bool) -> None:
        self.maintenance = on
        if on and self.waiting:
            self._maintenance_deferred = True  # the look-up's end applies it
            return
        if on and (self.journey is None or not self.journey.busy):
            self.journey = None
            self.screen = Screen.OUT_OF_SERVICE
            self.changed()
        elif not on and self.screen is Screen.OUT_OF_SERVICE:
            self.reset()

    def set_message_of_the_day(self, text: str | None) -> None:
        self.message_of_the_day = text or None
        self.attract.set_notice(self.message_of_the_day)
        self.changed()

    def scanned(self, text: str) -> None:
        """A code from the scanner: for the journey on screen, or start collecting."""
        if self.waiting:
            return
        self.activity()
        journey = self.journey
        if isinstance(journey, CollectJourney | StatusJourney):
            self.look_up(partial(journey.scanned, text))
        elif self.screen in (Screen.ATTRACT, Screen.LANGUAGE, Screen.HOME):
            self.start_collect()
            if isinstance(self.journey, CollectJourney):
                self.look_up(partial(self.journey.scanned, text))

    def scanned_code(self, text: str) -> None:
        """A request code read from a receipt's barcode (no secret): its status."""
        if self.waiting:
            return
        self.activity()
        journey = self.journey
        if not isinstance(journey, StatusJourney):
            if self.screen not in (Screen.ATTRACT, Screen.LANGUAGE, Screen.HOME, Screen.STATUS):
                return  # a stray scan in the middle of a request: ignore it
            self.start_status()
            journey = self.journey
        if isinstance(journey, StatusJourney):
            self.look_up(partial(journey.typed, text))

    def card_inserted(self) -> None:
        self.card_present = True
        if isinstance(self.journey, RequestJourney) and not self.waiting:
            self.activity()
            self.journey.card_inserted()
            self.changed()

    def card_removed(self) -> None:
        # While the chip is being read the reading itself reports the card pulled.
        self.card_present = False
        if isinstance(self.journey, RequestJourney) and not self.waiting:
            self.journey.card_removed()
            self.changed()

    def retry_card(self) -> None:
        """After a failed reading, "try again": the keys again if the card is still in."""
        if isinstance(self.journey, RequestJourney):
            self.activity()
            self.journey.retry_card(self.card_present)
            self.changed()
