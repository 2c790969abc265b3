"""The real Kivy app in a real (off-screen) window, driven by touches in Arabic and French.

The app runs in a child process (Kivy's window is one per process): SDL's offscreen driver
with Mesa, no DISPLAY. The tour taps every screen, types on the on-screen keyboard and plays
the devices' events; each screen is saved as a PNG in the artifacts folder
(``$SIJILL_TEST_ARTIFACTS`` or ``var/test-artifacts``) to be looked at. The registry is the
in-memory one of the unit tests; the printer is the driver's simulator, so receipts are real
ESC/POS bytes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.kiosk_child import run_in_window

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SIJILL_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts"))
_ARABIC_LETTERS = range(0x0621, 0x064B)
_PRESENTATION = range(0xFE70, 0xFF00)

pytestmark = pytest.mark.e2e


def _run_child(out: Path, data: Path) -> dict[str, Any]:
    return run_in_window(__file__, [str(out), str(data)], out / "report.json", timeout=240)


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = ARTIFACTS / "kiosk-window"
    for old in out.glob("*.png"):
        old.unlink(missing_ok=True)  # a concurrent run may have moved it
    return _run_child(out, tmp_path_factory.mktemp("kiosk-data"))


def test_tour_reaches_every_screen_in_both_languages_without_layout_faults(
    tour: dict[str, Any],
) -> None:
    assert tour["errors"] == []
    assert tour["returncode"] == 0
    for lang in ("ar", "fr"):
        screens = {s["screen"] for s in tour["shots"] if s["lang"] == lang}
        assert screens >= {
            "language", "home", "guide", "request", "collect", "status", "out_of_service",
        }, lang  # fmt: skip
        steps = {s["step"] for s in tour["shots"] if s["lang"] == lang and s["screen"] == "request"}
        assert steps >= {
            "method", "reference", "document", "relation", "relation_refused", "requester",
            "confirm", "done", "name", "parents", "card_insert", "card_keys",
        }, lang  # fmt: skip
    assert any(s["screen"] == "attract" for s in tour["shots"])
    by_name = {(s["lang"], s["name"]): s for s in tour["shots"]}
    for lang in ("ar", "fr"):
        assert by_name[(lang, "request-done")]["step"] == "done"
        assert by_name[(lang, "request-parents-result")]["step"] == "document"
        assert by_name[(lang, "collect-result")]["step"] == "ticket"
        assert by_name[(lang, "status-result")]["step"] == "result"
        assert by_name[(lang, "out-of-service")]["screen"] == "out_of_service"
        assert by_name[(lang, "after-paper-loaded")]["screen"] == "attract"


def test_screenshots_are_real_window_renders(tour: dict[str, Any]) -> None:
    from PIL import Image

    assert len(tour["shots"]) >= 50
    for shot in tour["shots"]:
        path = Path(shot["path"])
        with Image.open(path) as image:
            assert image.size == (1280, 1024)
            colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None
            assert len(colours) > 20, f"{path.name} looks blank"


def test_arabic_is_shaped_and_french_is_not_touched(tour: dict[str, Any]) -> None:
    for shot in tour["shots"]:
        texts: list[str] = shot["texts"]
        joined = "".join(texts)
        if shot["lang"] == "ar" and shot["screen"] != "attract":
            # Every Arabic letter on screen went through the reshaper (contextual forms).
            assert any(ord(c) in _PRESENTATION for c in joined), shot["path"]
            raw = {c for c in joined if ord(c) in _ARABIC_LETTERS}
            assert raw == set(), f"{shot['path']}: unshaped {sorted(raw)}"
        if shot["lang"] == "fr" and shot["screen"] in ("home", "guide"):
            assert not any(ord(c) in _PRESENTATION for c in joined)
            assert any("é" in text or "è" in text or "ç" in text for text in texts)


def test_receipts_and_ticket_came_out_of_the_printer(tour: dict[str, Any]) -> None:
    # One request receipt per language, one collection ticket per language.
    assert tour["cuts"] == 6
    assert tour["raster_bytes"] > 20_000
    assert tour["requests"] == 3
    assert tour["pending_receipts"] == 0


def test_attract_loop_shows_each_slide_and_its_clock_runs_only_on_that_screen(
    tour: dict[str, Any],
) -> None:
    names = [s["name"] for s in tour["shots"] if s["screen"] == "attract"]
    assert names[:5] == ["attract-request", "attract-collect", "attract-status",
                         "attract-guide", "attract-message"]  # fmt: skip
    for shot in tour["shots"]:
        # The slide clock is stopped on every other screen: nothing ticks behind them.
        assert shot["attract_clock"] == (shot["screen"] == "attract"), shot["name"]
    by_name = {s["name"]: s for s in tour["shots"] if s["lang"] == "ar"}
    assert any("Guichet 2" in text for text in by_name["attract-message"]["texts"])
    assert not any("Guichet 2" in text for text in by_name["attract-request"]["texts"])


def test_tamazight_screens_are_written_in_tifinagh(tour: dict[str, Any]) -> None:
    shots = {s["name"]: s for s in tour["shots"] if s["lang"] == "zgh"}
    assert {"home", "request-method", "request-confirm", "request-done"} <= set(shots)
    for name in ("home", "request-method", "request-card-failed", "request-confirm"):
        texts = shots[name]["texts"]
        assert any(any(0x2D30 <= ord(c) <= 0x2D7F for c in text) for text in texts), name
        assert not any(ord(c) in _PRESENTATION for c in "".join(texts)), name  # no Arabic
    language = next(s for s in tour["shots"] if s["name"] == "language")
    assert any("ⵜⴰⵎⴰⵣⵉⵖⵜ" in text for text in language["texts"])  # offered: translated


def test_touch_targets_are_at_least_48_px(tour: dict[str, Any]) -> None:
    assert tour["smallest_button"] >= 48


def test_screens_left_behind_keep_nothing(tour: dict[str, Any]) -> None:
    # Only the screen on display holds widgets: no typed name survives on a hidden screen.
    assert tour["stale_widgets"] == 0


# --- the child process ----------------------------------------------------------------------


def _child(out: Path, data: Path) -> None:  # pragma: no cover - runs in the subprocess
    import importlib

    sys.path.insert(0, str(ROOT / "tests" / "unit" / "kiosk_terminal"))
    fakes = importlib.import_module("kiosk_fakes")

    from kiosk_terminal.ui.config import configure_kivy

    configure_kivy(False, 1280, 1024)
    from kivy.core.window import Window

    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.settings import KioskSettings
    from kiosk_terminal.ui.app import KioskApp
    from kiosk_terminal.ui.tour import Tour
    from kiosk_terminal.ui.widgets.controls import KioskButton
    from kiosk_terminal.ui.widgets.rtl_label import RtlLabel

    backend = fakes.FakeBackend()
    backend.make_ready(counter="4")
    assert backend.secrets
    settings = KioskSettings(data_dir=data, speech=False, fullscreen=False)
    from drivers.scanner.simulator import SimulatedScanner

    runtime = build_runtime(settings, simulated=True, backend=backend, scanner=SimulatedScanner())
    runtime.outbox.refill_codes(settings.terminal_id, low_water=10, size=100)
    app = KioskApp(runtime)
    report: dict[str, Any] = {"shots": [], "errors": [], "smallest_button": 10_000}

    def texts() -> list[str]:
        found: list[str] = []
        for root in Window.children:
            for widget in root.walk(restrict=True):
                if isinstance(widget, RtlLabel) and widget.text:
                    found.append(widget.text)
                if isinstance(widget, KioskButton) and widget.get_root_window():
                    smallest = min(widget.width, widget.height)
                    report["smallest_button"] = min(report["smallest_button"], smallest)
        return found

    def after_render() -> None:
        report["_texts"] = texts()

    app.after_refresh.append(after_render)

    def done(tour: Tour) -> None:
        paper = runtime.simulated_paper
        assert paper is not None
        report["errors"] = tour.errors
        report["cuts"] = paper.cuts
        report["raster_bytes"] = len(paper.printed)
        report["requests"] = len(backend.requests)
        report["pending_receipts"] = runtime.outbox.depth()
        manager = app.manager
        assert manager is not None
        report["stale_widgets"] = sum(
            len(screen.ids.body.children)
            for screen in manager.screens
            if screen.name != manager.current
        )
        app.stop()

    from kiosk_terminal.core.model import Lang

    tour = Tour(app, out, languages=(Lang.AR, Lang.FR, Lang.ZGH), on_done=done)
    original = tour._shoot

    def shoot(name: str) -> None:
        original(name)
        shot = tour.shots[-1]
        report["shots"].append(
            {"path": str(shot.path), "lang": shot.lang, "name": shot.name,
             "screen": shot.screen, "step": shot.step, "texts": texts(),
             "attract_clock": app.attract_running}
        )  # fmt: skip

    tour._shoot = shoot  # type: ignore[method-assign]
    app.bind(on_start=lambda *_: tour.start())
    app.run()
    report.pop("_texts", None)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    _child(Path(sys.argv[1]), Path(sys.argv[2]))
