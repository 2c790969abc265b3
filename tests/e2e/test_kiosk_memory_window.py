"""Nothing a citizen's journey drew outlives it: counts of live objects, journey k against 2k.

The real app runs in a child process (off-screen SDL with Mesa, no DISPLAY) and renders every
step of request journeys, one step per frame, alternating Arabic and French; the next citizen
comes once the app has returned memory on the attract loop. At that point, at the start and
after journeys k and 2k, the child counts what is alive, without collecting garbage itself:
Kivy textures and widgets, the GL textures and buffers Mesa still holds (names answered by
``glIsTexture``/``glIsBuffer``), scheduled clock events and Kivy cache entries. Counts, not
bytes or seconds: each screen a citizen left must be freed whole, so the counts after journey
2k equal those after journey k.

One check is about bytes, with a wide margin: llvmpipe keeps the storage of textures and
buffers deleted while its pending scene still used them, out of sight of GL names, so malloc's
bytes in use are compared with the start (+49 MB here before the app finished that scene
before collecting the screens left, +2 MB since). Another asks GL for the window's samples:
none (multisampling cost ~55 MB with llvmpipe).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.kiosk_child import run_in_window

K = 4  # journeys before the first count; the second comes after 2k

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("kiosk-memory")
    return run_in_window(__file__, [str(out)], out / "counts.json", timeout=300)


def test_the_journeys_ran_and_each_returned_to_the_attract_loop(counts: dict[str, Any]) -> None:
    assert counts["returncode"] == 0
    assert counts["errors"] == []
    assert counts["receipts"] == 2 * K
    assert set(counts["after"]) == {"start", str(K), str(2 * K)}


def test_live_kivy_and_gl_objects_do_not_grow_from_journey_k_to_2k(
    counts: dict[str, Any],
) -> None:
    at_k, at_2k = counts["after"][str(K)], counts["after"][str(2 * K)]
    for kind in ("textures", "widgets", "gl_textures", "gl_buffers", "clock_events"):
        assert at_2k[kind] == at_k[kind], (kind, at_k, at_2k)
    assert at_2k["cache_entries"] <= at_k["cache_entries"]


def test_the_screens_a_citizen_saw_hold_no_texture_once_back_on_the_attract_loop(
    counts: dict[str, Any],
) -> None:
    # The attract screen before anyone came and after 2k citizens left draws the same labels.
    start, at_2k = counts["after"]["start"], counts["after"][str(2 * K)]
    assert at_2k["textures"] == start["textures"], (start, at_2k)
    assert at_2k["gl_textures"] == start["gl_textures"], (start, at_2k)


def test_mesa_keeps_no_storage_of_the_textures_a_journey_drew(counts: dict[str, Any]) -> None:
    # Bytes malloc hands out (Mesa's texture and buffer storage among them): what the app
    # keeps after its first journeys is ~2 MB; the storage llvmpipe kept was ~49 MB.
    start = counts["after"]["start"]["malloc_mb"]
    for name in (str(K), str(2 * K)):
        assert counts["after"][name]["malloc_mb"] - start < 15, counts["after"]


def test_the_window_has_no_multisample_buffers(counts: dict[str, Any]) -> None:
    assert counts["after"]["start"]["samples"] == 0


# --- the child process ----------------------------------------------------------------------


def _child(out: Path) -> None:  # pragma: no cover - runs in the subprocess
    import ctypes
    import gc
    import struct
    import tempfile
    from collections.abc import Callable, Iterator
    from datetime import date
    from functools import partial

    from kiosk_terminal.ui.config import configure_kivy

    configure_kivy(False, 1280, 1024)
    from kivy.cache import Cache
    from kivy.clock import Clock
    from kivy.core.window import Window  # noqa: F401 - the off-screen window and its GL context
    from kivy.graphics import opengl as gl
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget

    from kiosk_terminal.core.model import ActReference, DocumentKind, IdentifyMethod, Lang
    from kiosk_terminal.core.request import RequestJourney
    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.settings import KioskSettings
    from kiosk_terminal.ui.app import KioskApp

    settings = KioskSettings(data_dir=Path(tempfile.mkdtemp(dir=out)), speech=False)
    runtime = build_runtime(settings, simulated=True)
    paper = runtime.simulated_paper
    assert paper is not None
    app = KioskApp(runtime)
    session = app.session
    report: dict[str, Any] = {"after": {}, "errors": [], "receipts": 0}

    def gl_names(generate: Any, delete: Any, alive: Any) -> int:
        # Mesa hands out names upward: every name below a fresh one was given out once.
        probe = int(generate(1)[0])
        delete(1, struct.pack("I", probe))
        return sum(1 for name in range(1, probe) if alive(name))

    fields = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
              "fordblks", "keepcost")  # fmt: skip

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in fields]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2

    def malloc_mb() -> float:
        info = libc.mallinfo2()
        return float(info.uordblks + info.hblkhd) / 2**20

    def count() -> dict[str, float]:
        in_use = malloc_mb()  # before the walk below allocates its own list
        objects = gc.get_objects()  # no collection here: the app must have freed them itself
        return {
            "malloc_mb": in_use,
            "samples": int(gl.glGetIntegerv(0x80A9)[0]),  # GL_SAMPLES of the window's buffers
            "textures": sum(1 for o in objects if isinstance(o, Texture)),
            "widgets": sum(1 for o in objects if isinstance(o, Widget)),
            "gl_textures": gl_names(gl.glGenTextures, gl.glDeleteTextures, gl.glIsTexture),
            "gl_buffers": gl_names(gl.glGenBuffers, gl.glDeleteBuffers, gl.glIsBuffer),
            "clock_events": len(Clock.get_events()),
            "cache_entries": sum(len(v) for v in Cache._objects.values()),
        }

    def journey() -> RequestJourney:
        current = session.journey
        assert isinstance(current, RequestJourney)
        return current

    def new_roll() -> None:
        # A fresh roll; the receipt taken away (the simulator keeps what it printed).
        paper.load_paper(20_000)
        paper.printed.clear()

    def steps() -> Iterator[Callable[[], None] | str]:
        yield "settled:start"
        for n in range(1, 2 * K + 1):
            lang = Lang.AR if n % 2 else Lang.FR
            yield new_roll
            yield session.wake
            yield partial(session.choose_language, lang)
            yield session.start_request
            yield lambda: journey().choose_method(IdentifyMethod.REFERENCE)
            yield partial(lambda act: journey().reference(act, date(1990, 1, 1)),
                          ActReference("MK07", 1990, n))  # fmt: skip
            yield lambda: journey().choose_document(DocumentKind.EXTRACT, 1)
            yield lambda: journey().requester("سلمى بناني")
            yield app.submit
            yield "submitted"
            yield lambda: report.__setitem__("receipts", paper.cuts)  # each receipt is cut
            yield session.finish
            # The next citizen comes once the attract loop has returned memory, as in an office.
            yield f"settled:{n}"

    it = steps()

    def next_step(_dt: float) -> None:
        try:
            step = next(it)
        except StopIteration:
            app.stop()
            return
        except Exception as exc:
            report["errors"].append(repr(exc))
            app.stop()
            return
        if step == "submitted":
            wait_submitted(0)
        elif isinstance(step, str):
            wait_settled(step.split(":", 1)[1])
        else:
            try:
                step()
                session.changed()
            except Exception as exc:
                report["errors"].append(repr(exc))
                app.stop()
                return
            Clock.schedule_once(next_step, 0)

    def wait_submitted(_dt: float) -> None:
        if journey().busy:
            Clock.schedule_once(wait_submitted, 0.01)
            return
        if journey().accepted is None:
            report["errors"].append(f"not accepted: {journey().reason}")
        Clock.schedule_once(next_step, 0)

    def wait_settled(name: str) -> None:
        # Back on the attract loop once per journey, after the app returned memory (one release
        # each time the loop comes back, the first at start), then one frame more: Kivy deletes
        # the GL side of freed textures on its next frame.
        returns = 1 if name == "start" else 1 + int(name)
        if app.heap_releases < returns:
            Clock.schedule_once(lambda _dt: wait_settled(name), 0.05)
            return

        def record(_dt: float) -> None:
            if name in ("start", str(K), str(2 * K)):
                report["after"][name] = count()
            Clock.schedule_once(next_step, 0)

        Clock.schedule_once(record, 0)

    app.bind(on_start=lambda *_: Clock.schedule_once(next_step, 0.2))
    app.run()
    (out / "counts.json").write_text(json.dumps(report), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    _child(Path(sys.argv[1]))
