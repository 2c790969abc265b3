"""A slow registry does not freeze the kiosk: look-ups run off Kivy's event loop.

The real app runs in a child process (off-screen SDL with Mesa, no DISPLAY) against a backend
that holds every answer until it is released. The release comes from the frame loop itself,
after enough frames were drawn while the look-up was waiting: if the look-up ran on the UI
thread no frame could be drawn, the backend would give up waiting on its own and the test
would see no frame at all. Two look-ups are played: a scanned receipt QR (collection) and a
search by name started by the screen's "Next" button.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kiosk_terminal.core.model import ActMatch, ActQuery, RequestStatus
from protocol.codes import RequestCode
from tests.e2e.kiosk_child import run_in_window
from tests.unit.kiosk_terminal.kiosk_fakes import FakeBackend

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SIJILL_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts"))
FRAMES_BEFORE_RELEASE = 30
GIVE_UP_S = 20.0

pytestmark = pytest.mark.e2e


class HeldBackend(FakeBackend):
    """Answers only once released (or after GIVE_UP_S), noting which thread asked."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.threads: list[str] = []
        self.gave_up = False

    def _hold(self) -> None:
        self.threads.append(threading.current_thread().name)
        if not self.release.wait(GIVE_UP_S):
            self.gave_up = True
        self.release.clear()  # the next look-up is held again

    def find_acts(self, query: ActQuery) -> list[ActMatch]:
        self._hold()
        return super().find_acts(query)

    def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
        self._hold()
        return super().status(code, secret)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = ARTIFACTS / "kiosk-busy"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    data = tmp_path_factory.mktemp("kiosk-busy-data")
    return run_in_window(__file__, [str(out), str(data)], out / "report.json", timeout=180)


def test_frames_keep_coming_while_the_backend_is_slow(report: dict[str, Any]) -> None:
    assert report["returncode"] == 0
    assert report["errors"] == []
    assert [phase["name"] for phase in report["phases"]] == ["collect", "name"]
    for phase in report["phases"]:
        assert phase["frames_waiting"] >= FRAMES_BEFORE_RELEASE, phase
        assert phase["busy_shown"], phase
    assert not report["gave_up"]


def test_look_ups_ran_on_worker_threads_and_their_results_reached_the_screen(
    report: dict[str, Any],
) -> None:
    assert len(report["threads"]) == 2
    assert "MainThread" not in report["threads"]
    collect, name = report["phases"]
    assert collect["step_after"] == "ticket"
    assert name["step_after"] == "document"
    assert report["busy_view_left"] is False  # the "please wait" view went with the wait
    assert Path(report["busy_shot"]).is_file()


# --- the child process ----------------------------------------------------------------------


def _child(out: Path, data: Path) -> None:  # pragma: no cover - runs in the subprocess
    from kiosk_terminal.ui.config import configure_kivy

    configure_kivy(False, 1024, 768)
    from kivy.clock import Clock
    from kivy.core.window import Window

    from drivers.scanner.simulator import SimulatedScanner
    from kiosk_terminal.core.model import IdentifyMethod, Lang
    from kiosk_terminal.core.request import RequestJourney
    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.settings import KioskSettings
    from kiosk_terminal.ui.app import KioskApp
    from protocol.qr import ReceiptQr

    backend = HeldBackend()
    code, secret = backend.make_ready(counter="4")
    settings = KioskSettings(data_dir=data, speech=False, fullscreen=False)
    runtime = build_runtime(settings, simulated=True, backend=backend, scanner=SimulatedScanner())
    app = KioskApp(runtime)
    session = app.session
    report: dict[str, Any] = {"phases": [], "errors": [], "busy_shot": ""}
    phase: dict[str, Any] = {}

    def step_name() -> str:
        step = getattr(session.journey, "step", None)
        return "" if step is None else str(step.value)

    def start_collect() -> None:
        session.wake()
        session.choose_language(Lang.FR)
        phase.update(name="collect", frames_waiting=0, busy_shown=False, started=False)
        session.scanned(ReceiptQr(code, secret).encode())  # as the scanner's dispatch does

    def start_name() -> None:
        session.home()
        session.start_request()
        journey = session.journey
        assert isinstance(journey, RequestJourney)
        journey.choose_method(IdentifyMethod.NAME)
        session.changed()
        phase.update(name="name", frames_waiting=0, busy_shown=False, started=False)

        def press_next(_dt: float) -> None:
            app.form.update(given="Yassine", family="Alaoui", birth="04/03/1990")
            widget = next(
                w
                for root in Window.children
                for w in root.walk(restrict=True)
                if getattr(w, "name", None) == "next" and w.get_root_window()
            )
            widget.dispatch("on_release")  # the screen's own button: its look-up as a tap

        Clock.schedule_once(press_next, 0.2)

    phases = iter((start_collect, start_name))

    def frame(_dt: float) -> None:
        try:
            if not phase:
                next(phases)()
                return
            if session.waiting:
                phase["started"] = True
                phase["frames_waiting"] += 1
                if app._busy_view is not None and app._busy_view.get_root_window():
                    phase["busy_shown"] = True
                if phase["frames_waiting"] == 5 and not report["busy_shot"]:
                    shot = Window.screenshot(name=str(out / "busy.png"))
                    report["busy_shot"] = shot or ""
                if phase["frames_waiting"] == FRAMES_BEFORE_RELEASE:
                    backend.release.set()
                return
            if phase["started"] and not app.refresh_trigger.is_triggered:
                phase["step_after"] = step_name()
                report["phases"].append(dict(phase))
                phase.clear()
                try:
                    next(phases)()
                except StopIteration:
                    finish()
        except Exception as exc:
            report["errors"].append(f"{type(exc).__name__}: {exc}")
            finish()

    def finish() -> None:
        ticker.cancel()
        report["threads"] = backend.threads
        report["gave_up"] = backend.gave_up
        report["busy_view_left"] = app._busy_view is not None
        app.stop()

    ticker = Clock.schedule_interval(frame, 0)

    def too_long(_dt: float) -> None:
        report["errors"].append("did not finish in time")
        finish()

    Clock.schedule_once(too_long, 2 * GIVE_UP_S + 20)
    app.run()
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]))
