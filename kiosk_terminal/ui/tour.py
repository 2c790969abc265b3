"""A scripted walk through every screen by simulated touches, with a screenshot of each.

Used by the headless demo (``sijill kiosk run --headless-screenshots DIR``) and by the window
test. Touches go through Kivy's real input path (a touch event at a button's centre), text is
typed key by key on the on-screen keyboard, and device events (card inserted, code scanned,
paper out) come the way the drivers deliver them.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

from drivers.scanner.simulator import SimulatedScanner
from kiosk_terminal.core.model import Lang
from kiosk_terminal.ui.app import KioskApp
from kiosk_terminal.ui.touch import SyntheticTouch
from kiosk_terminal.ui.widgets.keyboard import LAYOUTS
from kiosk_terminal.ui.widgets.rtl_label import RtlLabel
from protocol.codes import RequestCode
from protocol.qr import ReceiptQr

log = logging.getLogger(__name__)

Step = tuple[str, Any]
SAMPLE_CODE = RequestCode("MK07", 2026, 4213)
SAMPLE_SECRET = "7Q2FK8MA"  # noqa: S105 - a sample receipt key, not a credential

# A sample citizen: two acts share her names and birth date, her parents tell them apart.
_NAMES = {
    Lang.AR: ("سلمى", "بناني", "سلمى بناني", "حسن", "زينب"),
    Lang.FR: ("SALMA", "BENNANI", "SALMA BENNANI", "HASSAN", "ZINEB"),
    Lang.EN: ("SALMA", "BENNANI", "SALMA BENNANI", "HASSAN", "ZINEB"),
}
_BIRTH = "01071988"
SAMPLE_NOTICE = "الشباك 2 مغلق اليوم بعد الظهر\nGuichet 2 fermé cet après-midi"


@dataclass(frozen=True)
class Shot:
    path: Path
    lang: str
    name: str
    screen: str
    step: str | None


class TourError(RuntimeError):
    pass


def script(lang: Lang, app: KioskApp, first: bool) -> Iterator[Step]:
    """The steps for one language; ``first`` adds the attract loop at the start."""
    given, family, full, father, mother = _NAMES.get(lang, _NAMES[Lang.FR])
    session = app.session
    code = SAMPLE_CODE
    if first:
        # Each slide of the attract loop, then the message of the day among them.
        for index, slide in enumerate(session.attract.slides):
            yield ("call", partial(app.show_slide, index))
            yield ("shot", f"attract-{slide.key}")
        yield ("call", partial(session.set_message_of_the_day, SAMPLE_NOTICE))
        yield ("call", partial(app.show_slide, 1))
        yield ("shot", "attract-message")
        yield ("call", partial(session.set_message_of_the_day, None))
        yield ("call", partial(app.show_slide, 0))
    yield ("tap", "start")
    yield ("shot", "language")
    yield ("tap", f"lang:{lang.value}")
    yield ("shot", "home")
    yield ("tap", "large_text")
    yield ("shot", "home-large-text")
    yield ("tap", "large_text")
    yield ("tap", "contrast")
    yield ("shot", "home-high-contrast")
    yield ("tap", "contrast")
    # procedures guide
    yield ("tap", "guide")
    yield ("shot", "guide")
    yield ("tap", "topic:extract_or_full_copy")
    yield ("shot", "guide-topic")
    yield ("tap", "large_text")
    yield ("shot", "guide-topic-large-text")
    yield ("tap", "large_text")
    yield ("tap", "back")
    yield ("tap", "home")
    # request by reference, through the full-copy refusal, to the receipt
    yield ("tap", "request")
    yield ("shot", "request-method")
    yield ("tap", "method:reference")
    yield ("tap", "field:year")
    yield ("type", "1990")
    yield ("tap", "field:number")
    yield ("type", "412")
    yield ("tap", "field:birth")
    yield ("type", "04/03/1990")
    yield ("shot", "request-reference")
    yield ("tap", "next")
    yield ("tap", "copies:plus")
    yield ("shot", "request-document")
    yield ("tap", "document:full_copy")
    yield ("shot", "request-relation")
    yield ("tap", "relation:other")
    yield ("shot", "request-relation-refused")
    yield ("tap", "document:extract")
    yield ("type", full)
    yield ("shot", "request-requester")
    yield ("tap", "next")
    yield ("shot", "request-confirm")
    yield ("tap", "confirm")
    yield ("idle", None)
    yield ("shot", "request-done")
    yield ("tap", "done")
    # request by name (found, ambiguous or registry unreachable: whichever happens)
    yield ("tap", "start")
    yield ("tap", f"lang:{lang.value}")
    yield ("tap", "request")
    yield ("tap", "method:name")
    yield ("tap", "field:given")
    yield ("type", given)
    yield ("tap", "field:family")
    yield ("type", family)
    yield ("tap", "field:birth")
    yield ("type", _BIRTH)
    yield ("shot", "request-name")
    yield ("tap", "next")
    yield ("shot", "request-name-result")
    parents: list[Step] = [
        ("tap", "field:father"),
        ("type", father),
        ("tap", "field:mother"),
        ("type", mother),
        ("shot", "request-parents"),
        ("tap", "next"),
        ("shot", "request-parents-result"),
    ]
    yield ("when", ("parents", parents))
    yield ("tap", "home")
    # identity card
    yield ("tap", "request")
    yield ("tap", "method:card")
    yield ("shot", "request-card-insert")
    yield ("call", session.card_inserted)
    yield ("tap", "field:doc")
    yield ("type", "AB123456")
    yield ("shot", "request-card-keys")
    yield ("tap", "large_text")  # the tallest form, in large text: nothing may be pushed out
    yield ("shot", "request-card-keys-large-text")
    yield ("tap", "contrast")
    yield ("shot", "request-card-keys-large-high-contrast")
    yield ("tap", "contrast")
    yield ("tap", "large_text")
    yield ("tap", "field:birth")
    yield ("type", "04/03/1990")
    yield ("tap", "field:expiry")
    yield ("type", "01/01/2030")
    yield ("tap", "next")
    yield ("shot", "request-card-failed")  # no chip answered (pulled, or no reader here)
    yield ("call", session.card_removed)  # the citizen takes the card back
    yield ("tap", "retry")
    yield ("tap", "home")
    # collect a remote request by its QR
    yield ("tap", "collect")
    yield ("shot", "collect-scan")
    yield ("call", lambda: _scan(app, ReceiptQr(code, SAMPLE_SECRET).encode()))
    yield ("shot", "collect-result")
    yield ("tap", "home")
    # status by typed code
    yield ("tap", "status")
    yield ("tap", "field:code")
    yield ("type", str(code))
    yield ("shot", "status-enter")
    yield ("tap", "check")
    yield ("shot", "status-result")
    # inactivity: the warning, then "continue"
    yield ("call", lambda: _go_idle(app))
    yield ("shot", "timeout-warning")
    yield ("tap", "continue")
    yield ("tap", "home")
    # the printer runs out of paper: out of service, then paper is loaded again
    yield ("call", lambda: _paper(app, 0.0))
    yield ("shot", "out-of-service")
    yield ("call", lambda: _paper(app, 20_000.0))
    yield ("shot", "after-paper-loaded")


def _scan(app: KioskApp, text: str) -> None:
    """Through the simulated scanner's checks when there is one, as a real scan would."""
    scanner = app.runtime.scanner
    if isinstance(scanner, SimulatedScanner):
        scanner.inject(text)
    else:
        app.session.scanned(text)


def _go_idle(app: KioskApp) -> None:
    session = app.session
    session._last_activity -= session.settings.idle_timeout_s + 1  # as if a minute passed
    session.tick()


def _paper(app: KioskApp, mm: float) -> None:
    paper = app.runtime.simulated_paper
    if paper is None:
        raise TourError("paper faults need the simulated printer")
    paper.load_paper(mm)
    app.runtime.worker_step(lambda fn: fn())


class Tour:
    def __init__(
        self,
        app: KioskApp,
        out_dir: Path,
        languages: tuple[Lang, ...] = (Lang.AR, Lang.FR),
        on_done: Callable[[Tour], None] | None = None,
        pause_s: float = 0.03,
    ) -> None:
        self.app = app
        self.out_dir = out_dir
        self.on_done = on_done
        self.pause_s = pause_s
        self.shots: list[Shot] = []
        self.errors: list[str] = []
        self._steps = self._all(languages)
        self._lang = languages[0]
        self._waited = 0

    def _all(self, languages: tuple[Lang, ...]) -> Iterator[Step]:
        for index, lang in enumerate(languages):
            self._lang = lang
            yield from script(lang, self.app, first=index == 0)

    def start(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        Clock.schedule_once(self._next, 0.2)

    def _finish(self) -> None:
        if self.on_done is not None:
            self.on_done(self)

    def _next(self, _dt: float) -> None:
        try:
            kind, arg = next(self._steps)
        except StopIteration:
            self._finish()
            return
        try:
            delay = self._do(kind, arg)
        except Exception as exc:
            log.exception("tour step %s %r failed", kind, arg)
            self.errors.append(f"{self._lang.value}: {kind} {arg!r}: {exc}")
            self._finish()
            return
        Clock.schedule_once(self._next, delay)

    def _settling(self) -> bool:
        """A render or a look-up is pending, or the screen is changing: touches would be lost."""
        manager = self.app.manager
        return (
            bool(self.app.refresh_trigger.is_triggered)
            or self.app.session.waiting  # a look-up on its worker thread
            or (manager is not None and manager.transition.is_active)
        )

    def _do(self, kind: str, arg: Any) -> float:
        if kind != "call" and self._settling():
            self._steps = _prepend((kind, arg), self._steps)
            return 0.02
        if kind in ("tap", "shot"):  # never what is typed
            log.debug("tour: %s %r on %s", kind, arg, self.app.session.screen.value)
        if kind == "tap":
            self.tap(arg)
        elif kind == "type":
            for char in reversed(arg):
                self._steps = _prepend(("char", char), self._steps)
        elif kind == "char":
            if not self.type_char(arg):
                # The keyboard switched layout: its new keys are placed on the next frame.
                self._steps = _prepend(("char", arg), self._steps)
                return 0.05
        elif kind == "call":
            arg()
        elif kind == "when":
            # Steps that only apply when the journey is at a given step (e.g. parents asked).
            wanted, steps = arg
            step = getattr(self.app.session.journey, "step", None)
            if step is not None and step.value == wanted:
                for item in reversed(steps):
                    self._steps = _prepend(item, self._steps)
        elif kind == "shot":
            # Two frames after the last change: the screen is rebuilt, then drawn.
            Clock.schedule_once(lambda _dt: self._shoot(arg), self.pause_s * 2)
            return self.pause_s * 4
        elif kind == "idle":
            journey = self.app.session.journey
            if journey is not None and journey.busy:
                self._waited += 1
                if self._waited > 400:
                    raise TourError("submission never finished")
                self._steps = _prepend(("idle", None), self._steps)
                return 0.05
            self._waited = 0
        return self.pause_s

    def find(self, name: str) -> Any:
        for root in Window.children:
            for widget in root.walk(restrict=True):
                if getattr(widget, "name", None) == name and widget.get_root_window():
                    return widget
        return None

    def tap(self, name: str) -> None:
        widget = self.find(name)
        if widget is None:
            screen = self.app.session.screen.value
            raise TourError(f"no '{name}' on screen {screen}")
        x, y = widget.to_window(*widget.center)
        SyntheticTouch(x, y).tap()

    def type_char(self, char: str) -> bool:
        """Tap the key for ``char``; False when a layout switch was needed first."""
        name = "key:space" if char == " " else f"key:{char}"
        if self.find(name) is not None:
            self.tap(name)
            return True
        for layout, rows in LAYOUTS.items():
            if any(char in row for row in rows) and self.find(f"layout:{layout}") is not None:
                self.tap(f"layout:{layout}")
                return False
        raise TourError(f"no key for {char!r}")

    def layout_problems(self) -> list[str]:
        """Content pushed out of the body, or text taller than its fixed-height label."""
        problems: list[str] = []
        manager = self.app.manager
        if manager is None:
            return problems
        screen = manager.current_screen
        body = screen.ids.body
        for child in body.children:
            name = getattr(child, "name", "") or child
            if child.y < body.y - 1:
                problems.append(f"content below the body ({name})")
            if child.top > body.top + 1:
                problems.append(f"content above the body, over the header ({name})")
        for widget in screen.walk(restrict=True):
            if (
                isinstance(widget, RtlLabel)
                and not widget.auto_height
                and widget.text
                and widget.texture_size[1] > widget.height + 2
            ):
                problems.append(f"text clipped: {widget.source_text[:30]!r}")
        return problems

    def _shoot(self, name: str) -> None:
        session = self.app.session
        for problem in self.layout_problems():
            self.errors.append(f"{self._lang.value} {name}: {problem}")
        index = len(self.shots) + 1
        target = self.out_dir / f"{index:02d}-{self._lang.value}-{name}.png"
        written = Window.screenshot(name=str(self.out_dir / "shot.png"))
        if written:
            shutil.move(written, target)
        step = getattr(session.journey, "step", None)
        self.shots.append(
            Shot(target, self._lang.value, name, session.screen.value,
                 None if step is None else str(step.value))
        )  # fmt: skip


def _prepend(step: Step, rest: Iterator[Step]) -> Iterator[Step]:
    yield step
    yield from rest
