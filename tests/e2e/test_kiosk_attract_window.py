"""An idle kiosk's slide changes leave no garbage: counts of live objects, loop k against 2k.

The real app runs in a child process (off-screen SDL with Mesa, no DISPLAY) on its attract
loop with a message of the day (so both kinds of slide come round), its slide clock made
quick. Python's automatic collection is switched off once the app has settled: whatever a
slide change leaves in reference cycles (Kivy widgets hold each other in cycles, and with
them their labels' textures) then stays countable. The child counts live Kivy textures and
widgets (without collecting) each time the loop comes back to its first slide, and at the
end how many unreachable objects one collection finds. Counts, not bytes or seconds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.kiosk_child import run_in_window

K = 2  # whole loops before the first count; the second comes after 2k

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("kiosk-attract")
    return run_in_window(__file__, [str(out)], out / "counts.json", timeout=300)


def test_the_loop_went_round_every_slide(counts: dict[str, Any]) -> None:
    assert counts["returncode"] == 0
    assert counts["errors"] == []
    assert set(counts["after"]) == {"1", str(K), str(2 * K)}
    # Five slides a loop (the message of the day second), each drawn by the slide clock.
    assert counts["slides_per_loop"] == 5
    assert counts["slide_changes"] >= 2 * K * 5


def test_slide_changes_do_not_add_widgets_or_textures(counts: dict[str, Any]) -> None:
    first, at_k, at_2k = (counts["after"][n] for n in ("1", str(K), str(2 * K)))
    for kind in ("textures", "widgets"):
        assert first[kind] == at_k[kind] == at_2k[kind], (kind, counts["after"])


def test_slide_changes_leave_nothing_for_the_collector(counts: dict[str, Any]) -> None:
    # With every slide's widgets rebuilt, each change left ~20 widgets and their textures in
    # cycles (hundreds of objects a loop); rewritten in place, none.
    assert counts["unreachable_widgets"] == 0
    assert counts["unreachable_textures"] == 0


# --- the child process ----------------------------------------------------------------------


def _child(out: Path) -> None:  # pragma: no cover - runs in the subprocess
    import gc
    import tempfile

    from kiosk_terminal.ui.config import configure_kivy

    configure_kivy(False, 1280, 1024)
    from kivy.clock import Clock
    from kivy.core.window import Window  # noqa: F401 - the off-screen window and its GL context
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    from kiosk_terminal.core.attract import AttractTiming
    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.settings import KioskSettings
    from kiosk_terminal.ui.app import KioskApp

    settings = KioskSettings(data_dir=Path(tempfile.mkdtemp(dir=out)), speech=False)
    runtime = build_runtime(settings, simulated=True)
    app = KioskApp(runtime)
    session = app.session
    session.set_message_of_the_day("الشباك 2 مغلق اليوم\nGuichet 2 fermé aujourd'hui")
    # The real slide clock and fades, quicker: a whole loop in about a second.
    session.attract.timing = AttractTiming(slide_s=0.2, fade_s=0.03)
    report: dict[str, Any] = {"after": {}, "errors": [], "slide_changes": 0}
    report["slides_per_loop"] = len(session.attract.slides)
    state = {"loops": 0, "armed": False}

    def count() -> dict[str, int]:
        objects = gc.get_objects()  # no collection: garbage in cycles is still counted
        return {
            "textures": sum(1 for o in objects if isinstance(o, Texture)),
            "widgets": sum(1 for o in objects if isinstance(o, Widget)),
        }

    def finish() -> None:
        # What one collection frees now: the garbage the slide changes left behind.
        before = count()
        gc.collect()
        after = count()
        report["unreachable_widgets"] = before["widgets"] - after["widgets"]
        report["unreachable_textures"] = before["textures"] - after["textures"]
        app.stop()

    def record(_dt: float) -> None:
        name = str(state["loops"])
        if name in ("1", str(K), str(2 * K)):
            report["after"][name] = count()
        if state["loops"] >= 2 * K:
            finish()

    def refreshed() -> None:
        if not state["armed"] or not app.attract_running:
            return
        report["slide_changes"] += 1
        if session.attract.index == 0:
            state["loops"] += 1
            Clock.schedule_once(record, 0)  # after the frame that drew the new slide

    def arm(_dt: float) -> None:
        # Once the app has freed what building the first screen left (its first release),
        # collection stops: from now on a slide change's garbage stays countable.
        if app.heap_releases < 1:
            Clock.schedule_once(arm, 0.05)
            return
        gc.collect()
        gc.disable()
        state["armed"] = True

    def give_up(_dt: float) -> None:
        report["errors"].append(f"the loop did not come round: {state}")
        app.stop()

    app.after_refresh.append(refreshed)
    app.bind(on_start=lambda *_: Clock.schedule_once(arm, 0))
    Clock.schedule_once(give_up, 60)
    app.run()
    (out / "counts.json").write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    _child(Path(sys.argv[1]))
