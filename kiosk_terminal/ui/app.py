"""The Kivy application: one window, one ScreenManager, screens rebuilt from the session.

Nothing that waits on the backend, the card or the printer runs on the UI thread: look-ups
run on a worker thread behind a "please wait" view and come back through ``Clock``.

Import it only after :func:`kiosk_terminal.ui.config.configure_kivy`: importing Kivy's window
creates it with whatever configuration is set at that moment.
"""

from __future__ import annotations

import gc
import itertools
import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.animation import Animation
from kivy.app import App
from kivy.clock import Clock
from kivy.core.audio import SoundLoader
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish
from kivy.lang import Builder
from kivy.properties import ColorProperty
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk_terminal.core.request import PrinterNotReady, RequestJourney
from kiosk_terminal.core.session import Screen as ScreenName
from kiosk_terminal.i18n import Translator
from kiosk_terminal.runtime import KioskRuntime
from kiosk_terminal.services.systemd import notify, watchdog_interval_s
from kiosk_terminal.ui.config import release_free_heap
from kiosk_terminal.ui.render import Renderer, warning_texts
from kiosk_terminal.ui.theme import Theme, register_font

log = logging.getLogger(__name__)
KV_FILE = Path(__file__).with_name("widgets.kv")


class KioskScreen(Screen):  # type: ignore[misc]
    bg_color = ColorProperty((1, 1, 1, 1))


class WarningView(ModalView):  # type: ignore[misc]
    bg_color = ColorProperty((1, 1, 1, 1))
    text_color = ColorProperty((0, 0, 0, 1))
    button_color = ColorProperty((0, 0.4, 0.3, 1))
    button_text = ColorProperty((1, 1, 1, 1))


class BusyView(ModalView):  # type: ignore[misc]
    """Over the screen while a look-up runs: says so, and holds every touch meanwhile."""

    bg_color = ColorProperty((1, 1, 1, 1))
    text_color = ColorProperty((0, 0, 0, 1))


SPINNER = ("●○○○", "○●○○", "○○●○", "○○○●")


class KioskApp(App):  # type: ignore[misc]
    title = "Sijill"

    def __init__(self, runtime: KioskRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runtime = runtime
        self.session = runtime.session
        self.manager: ScreenManager | None = None
        self.renderer: Renderer | None = None
        self.form: dict[str, str] = {}
        self._form_key: tuple[object, ...] = ()
        self._spoken: tuple[object, ...] = ()
        self._warning_view: WarningView | None = None
        self._busy_view: BusyView | None = None
        self._spin: Any = None
        self._sound: Any = None
        self._stop_worker = threading.Event()
        self._worker: threading.Thread | None = None
        self._attract_clock: Any = None  # runs only while the attract loop is on screen
        self._fade: Any = None  # the slide's running fade, if any
        self._fade_in = False
        self.refresh_trigger = Clock.create_trigger(lambda _dt: self.refresh(), -1)
        self.after_refresh: list[Any] = []  # callbacks (the screenshot tour) after a render
        self.heap_releases = 0  # times the attract loop returned memory (tests wait on it)

    # --- life cycle ---------------------------------------------------------------------

    def build(self) -> ScreenManager:
        register_font()
        Builder.load_file(str(KV_FILE))
        manager = ScreenManager(transition=NoTransition())
        for name in ScreenName:
            manager.add_widget(KioskScreen(name=name.value))
        self.manager = manager
        self.runtime.speaker.play_clip = self._play_clip
        self.session.subscribe(self.refresh_trigger)
        self.session.background = self.in_background
        Window.bind(on_touch_down=self._touched)
        Window.bind(on_request_close=self._refuse_close)
        Window.bind(on_keyboard=self._swallow_keys)
        Clock.schedule_interval(self._tick, 0.5)
        interval = watchdog_interval_s()
        if interval:
            Clock.schedule_interval(lambda _dt: notify("WATCHDOG=1"), interval)
        self.refresh()
        return manager

    def on_start(self) -> None:
        signal.signal(signal.SIGTERM, self._sigterm)
        self.runtime.attach_card_reader(self.run_on_ui)
        self.runtime.attach_scanner(self.run_on_ui)
        self._worker = threading.Thread(target=self._work, name="kiosk-worker", daemon=True)
        self._worker.start()
        notify("READY=1")

    def on_stop(self) -> None:
        self._attract(False)
        notify("STOPPING=1")
        self._stop_worker.set()
        if self._worker is not None:
            self._worker.join(timeout=5)
        self.runtime.close()

    def _sigterm(self, _signum: int, _frame: object) -> None:
        # From the signal handler only schedule: Kivy stops cleanly on its own thread.
        Clock.schedule_once(lambda _dt: self.stop(), 0)

    def run_on_ui(self, fn: Any) -> None:
        """Run ``fn`` on the UI thread (device and worker callbacks come from other threads)."""
        Clock.schedule_once(lambda _dt: fn(), 0)

    def in_background(self, work: Callable[[], None], done: Callable[[], None]) -> None:
        """A look-up on a worker thread; ``done`` comes back on the UI thread, whatever happens."""

        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("look-up failed unexpectedly")
            finally:
                self.run_on_ui(done)

        threading.Thread(target=run, name="kiosk-lookup", daemon=True).start()

    def _work(self) -> None:
        interval = self.runtime.settings.worker_interval_s
        while not self._stop_worker.is_set():
            try:
                self.runtime.worker_step(self.run_on_ui)
            except Exception:
                log.exception("background work failed; retrying")
            self._stop_worker.wait(interval)

    def _tick(self, _dt: float) -> None:
        self.session.tick()
        view = self._warning_view
        if view is not None:
            view.ids.countdown.source_text = f"{round(self.session.warning_left_s())} s"

    def _play_clip(self, path: Path) -> None:
        """A recorded prompt; with no audio device Kivy loads a silent sound of length 0."""
        if self._sound is not None:
            self._sound.stop()
        sound = SoundLoader.load(str(path))
        if sound is None or not sound.length:
            log.info("clip not playable here: %s", path.name)
            self._sound = None
            return
        self._sound = sound
        sound.play()

    # --- appliance behaviour ------------------------------------------------------------

    def _touched(self, *_args: Any) -> bool:
        self.session.activity()
        if self.session.screen is ScreenName.ATTRACT:
            # A touch anywhere on the attract loop starts; the press itself ends here.
            Clock.schedule_once(lambda _dt: self._wake_from_attract(), 0)
        return False

    def _wake_from_attract(self) -> None:
        if self.session.screen is ScreenName.ATTRACT:
            self.session.wake()

    def _refuse_close(self, *_args: Any, **_kwargs: Any) -> bool:
        return True  # no close button or key combination ends the kiosk

    def _swallow_keys(self, _window: Any, key: int, *_args: Any) -> bool:
        return key == 27  # escape (and Android back) do nothing

    # --- rendering ----------------------------------------------------------------------

    def _state_key(self) -> tuple[object, ...]:
        journey = self.session.journey
        step = getattr(journey, "step", None)
        current = getattr(journey, "current", None)
        return (self.session.screen, id(journey), step, id(current))

    def refresh(self) -> None:
        manager = self.manager
        if manager is None:
            return
        session = self.session
        key = self._state_key()
        if key != self._form_key:
            self.form = {}  # typed text belongs to one step of one journey only
            self._form_key = key
        screen = manager.get_screen(session.screen.value)
        renderer = self.renderer
        if (
            renderer is not None
            and manager.current == screen.name
            and renderer.shows_attract(screen)
        ):
            # The next slide on an idle kiosk: the same widgets, rewritten (nothing to free).
            renderer.show_slide()
        else:
            renderer = Renderer(session, screen, self.submit, self.form)
            renderer.render()
            self.renderer = renderer
        if manager.current != screen.name:
            # The screen left behind still holds what was typed or shown: empty it now.
            left = manager.get_screen(manager.current)
            for part in ("header", "body", "footer"):
                left.ids[part].clear_widgets()
        manager.current = screen.name
        self._attract(session.screen is ScreenName.ATTRACT)
        if self._fade_in and renderer.slide is not None:
            self._fade_in = False
            renderer.slide.opacity = 0
            self._fade = Animation(opacity=1, d=session.attract.timing.fade_s)
            self._fade.start(renderer.slide)
        self._show_busy(session.waiting)
        self._show_warning(session.warning)
        spoken = (*key, session.language)
        if spoken != self._spoken:
            self._spoken = spoken
            step = getattr(session.journey, "step", None)
            prompt_key = session.screen.value + (f".{step.value}" if step is not None else "")
            self.runtime.speaker.say(prompt_key, renderer.prompt, session.language)
        for callback in list(self.after_refresh):
            callback()

    # --- the attract loop -----------------------------------------------------------------

    @property
    def attract_running(self) -> bool:
        return self._attract_clock is not None

    def _attract(self, on: bool) -> None:
        """Start the slide clock on the attract screen; stop it (and any fade) elsewhere."""
        if on and self._attract_clock is None:
            # A citizen just left: free what the screens they saw held (next frame: nobody
            # waits on the attract loop), then give the free heap back.
            Clock.schedule_once(lambda _dt: self._collect_screens(), 0)
            Clock.schedule_once(lambda _dt: self._release_heap(), 0.5)
            interval = self.session.attract.timing.slide_s
            self._attract_clock = Clock.schedule_interval(self._next_slide, interval)
        elif not on and self._attract_clock is not None:
            self._attract_clock.cancel()
            self._attract_clock = None
            target = self._fade_target()
            if self._fade is not None and target is not None:
                self._fade.cancel(target)
            self._fade = None
            self._fade_in = False

    def _collect_screens(self) -> None:
        """Free the widgets of the screens a citizen saw, and their label textures.

        Kivy widgets hold each other in reference cycles (parent and children, bound
        callbacks), so only Python's cyclic collector frees a screen that was left, and with
        it its labels' textures, whose pixels live in Mesa, out of Python's sight. Left to
        CPython's thresholds, a full collection comes only every few dozen journeys and that
        many journeys' textures pile up meanwhile. Kivy deletes the GL textures of the
        collected ones on its next frame, before the heap is released.

        llvmpipe's pending scene still references the textures and vertex buffers of the
        last frames drawn: those deleted before it is finished keep their storage (measured
        here: ~45 MB held after a journey, released only now and then). Finishing it first
        lets every collected texture go (~1 ms on the attract loop, where nobody waits).
        """
        glFinish()
        gc.collect()

    def _release_heap(self) -> None:
        # llvmpipe holds on to some storage of deleted textures and vertex buffers until its
        # pending work is finished: measured here, finishing it first leaves ~17 MB less
        # resident between citizens on average.
        glFinish()
        release_free_heap()
        self.heap_releases += 1

    def _fade_target(self) -> Any:
        renderer = self.renderer
        return renderer.slide if renderer is not None else None

    def _next_slide(self, _dt: float = 0.0) -> None:
        """Fade the slide out, move the loop on, fade the next one in."""
        target = self._fade_target()
        if self.session.screen is not ScreenName.ATTRACT or target is None:
            return
        fade = Animation(opacity=0, d=self.session.attract.timing.fade_s)

        def swap(*_args: Any) -> None:
            if self.session.screen is ScreenName.ATTRACT:
                self.session.attract.advance()
                self._fade_in = True
                self.refresh()

        fade.bind(on_complete=swap)
        self._fade = fade
        fade.start(target)

    def show_slide(self, index: int) -> None:
        """Jump to a slide at once, its clock started afresh (the screenshot tour)."""
        self._attract(False)
        self.session.attract.index = index
        self.refresh()

    def _show_busy(self, on: bool) -> None:
        view = self._busy_view
        if not on:
            if view is not None:
                self._spin.cancel()
                view.dismiss(animation=False)
                self._busy_view = None
            return
        if view is not None:
            return
        p = Theme.choose(self.session.large_text, self.session.high_contrast).palette
        view = BusyView(bg_color=p.background, text_color=p.text)
        view.ids.message.source_text = Translator(self.session.language.value)("Please wait")
        view.ids.message.rtl = self.session.language.rtl
        view.ids.spinner.source_text = SPINNER[0]
        frames = itertools.count(1)

        def spin(_dt: float) -> None:
            view.ids.spinner.source_text = SPINNER[next(frames) % len(SPINNER)]

        self._spin = Clock.schedule_interval(spin, 0.25)
        self._busy_view = view
        view.open(animation=False)

    def _show_warning(self, on: bool) -> None:
        if not on:
            if self._warning_view is not None:
                self._warning_view.dismiss(animation=False)
                self._warning_view = None
            return
        if self._warning_view is not None:
            return
        theme = Theme.choose(self.session.large_text, self.session.high_contrast)
        p = theme.palette
        view = WarningView(
            bg_color=p.background, text_color=p.text, button_color=p.primary,
            button_text=p.on_primary,
        )  # fmt: skip
        question, keep = warning_texts(self.session.language)
        rtl = self.session.language.rtl
        view.ids.question.source_text = question
        view.ids.question.rtl = rtl
        view.ids.keep.source_text = keep
        view.ids.keep.rtl = rtl
        view.ids.countdown.source_text = f"{round(self.session.warning_left_s())} s"
        view.ids.keep.bind(on_release=lambda *_: self.session.activity())
        self._warning_view = view
        view.open(animation=False)

    def submit(self) -> None:
        """Confirm pressed: lock the request, then register and print off the UI thread."""
        journey = self.session.journey
        if not isinstance(journey, RequestJourney):
            return
        try:
            journey.confirm()
        except PrinterNotReady:
            self.session.printer_changed(False)
            return
        self.session.changed()
        threading.Thread(target=self._run_submission, args=(journey,), daemon=True).start()

    def _run_submission(self, journey: RequestJourney) -> None:
        try:
            journey.run_submission()
            self.runtime.journey_done(journey)
        except Exception:
            log.exception("submission failed unexpectedly")
        finally:
            self.run_on_ui(self.session.changed)
