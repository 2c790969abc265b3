"""Kiosk figures: cold start to the attract screen, confirm → receipt bytes, memory over journeys.

Run: .venv/bin/python bench/bench_kiosk.py [--starts N] [--journeys N]

- cold start: ``sijill kiosk run --simulated`` off-screen (no DISPLAY), from process start to
  systemd's READY=1 (app built, first screen rendered next frame) and to the attract screen's
  screenshot on disk (that file is written 0.1 s after the first render);
- confirm → receipt bytes: from pressing Confirm to the last ESC/POS byte written to the
  simulated printer: outbox write (WAL, synchronous=FULL), the backend call, receipt render
  and encode. The backend is an in-process stand-in that accepts at once (a local backend
  without network or database time);
- memory: the process starts as the service does (``sijill kiosk run``'s imports and the
  kiosk's logging), then the real Kivy app renders every step of N request journeys (one step
  per frame);
  resident memory at the start and after every 10th journey, each measured between two
  citizens: back on the attract loop once the app has freed the journey's screens and
  returned the heap (no collection by the bench itself). The growth from journey N/2 to N
  with live Kivy textures, widgets and GL textures, and a breakdown: the window's share
  (Mesa's GL context), Mesa's mapped libraries, glibc heap and anonymous maps, malloc in use
  and free, threads, Kivy cache entries. Run as shipped and with llvmpipe's default threads.
  Resident memory is read before the bench walks every object to count textures and widgets
  (the walk's own lists left ~6 MB behind).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(PYTHONPATH=str(ROOT), SDL_AUDIODRIVER="dummy", SIJILL_KIOSK_SPEECH="false")
    return env


def cold_start(rounds: int) -> tuple[list[float], list[float]]:
    ready, shown = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            sock_path = Path(tmp) / "notify.sock"
            server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            server.bind(str(sock_path))
            server.settimeout(0.05)
            env = _env() | {"NOTIFY_SOCKET": str(sock_path)}
            screen = Path(tmp) / "data" / "kiosk" / "screens" / "attract.png"
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "sijill", "kiosk", "run", "--simulated", "--data-dir",
                 str(Path(tmp) / "data")],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            t_ready = t_shown = None
            while time.perf_counter() - start < 30 and (t_ready is None or t_shown is None):
                try:
                    if server.recv(64) == b"READY=1":
                        t_ready = time.perf_counter() - start
                except TimeoutError:
                    pass
                if t_shown is None and screen.exists():
                    t_shown = time.perf_counter() - start
            proc.terminate()
            proc.wait(timeout=15)
            server.close()
            if t_ready is not None and t_shown is not None:
                ready.append(t_ready)
                shown.append(t_shown)
    return ready, shown


def confirm_to_receipt(journeys: int) -> list[float]:
    from datetime import date

    from kiosk_terminal.core.model import (
        Accepted,
        ActMatch,
        ActQuery,
        ActReference,
        DocumentKind,
        IdentifyMethod,
        Lang,
        RequestStatus,
        Submission,
    )
    from kiosk_terminal.core.request import RequestJourney
    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.settings import KioskSettings
    from protocol.codes import CodeBlock, RequestCode

    class AcceptingBackend:
        def find_acts(self, query: ActQuery) -> list[ActMatch]:
            assert isinstance(query, ActReference)
            return [ActMatch(query.text)]

        def submit(self, submission: Submission) -> Accepted:
            assert submission.code is not None
            assert submission.secret is not None
            return Accepted(submission.code, submission.secret, pending=False)

        def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
            raise NotImplementedError

        def reserve_codes(self, terminal_id: str, size: int) -> CodeBlock:
            return CodeBlock("MK07", 2026, 1, size)

    with tempfile.TemporaryDirectory() as tmp:
        settings = KioskSettings(data_dir=Path(tmp), speech=False)
        runtime = build_runtime(settings, simulated=True, backend=AcceptingBackend())
        runtime.outbox.add_block(CodeBlock("MK07", 2026, 1, 100_000))
        paper = runtime.simulated_paper
        assert paper is not None
        samples = []
        for i in range(journeys + 1):
            paper.load_paper(20_000)
            journey = RequestJourney(runtime.session.deps.request, Lang.AR)
            journey.choose_method(IdentifyMethod.REFERENCE)
            journey.reference(ActReference("MK07", 1990, 1 + i), date(1990, 1, 1))
            journey.choose_document(DocumentKind.EXTRACT, 2)
            journey.requester("Salma Bennani")
            start = time.perf_counter()
            journey.confirm()
            journey.run_submission()
            elapsed = (time.perf_counter() - start) * 1000
            if i:  # the first one loads fonts and caches
                samples.append(elapsed)
        assert paper.cuts == journeys + 1
        runtime.close()
    return samples


def confirm_to_receipt_records(journeys: int) -> list[float]:
    """The same path against the real records backend (its app in-process, on SQLite)."""
    from datetime import date
    from datetime import time as dt_time

    from fastapi.testclient import TestClient

    from kiosk_terminal.core.model import ActReference, DocumentKind, IdentifyMethod, Lang
    from kiosk_terminal.core.request import RequestJourney
    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.services.backend_http import HttpBackend
    from kiosk_terminal.settings import KioskSettings
    from records_backend.app import create_app
    from records_backend.audit.log import Actor
    from records_backend.services import accounts
    from records_backend.services.bulk import BulkAct, BulkLoader
    from records_backend.services.principal import Principal
    from records_backend.settings import RecordsSettings

    sys.path.insert(0, str(ROOT / "tests" / "integration" / "records_backend"))
    birth = __import__("records_helpers").birth
    with tempfile.TemporaryDirectory() as tmp:
        records = RecordsSettings(
            data_dir=Path(tmp) / "records",
            database_url=f"sqlite:///{Path(tmp) / 'records.db'}",
            argon2_time_cost=1,
            argon2_memory_kib=64,
        )
        with TestClient(create_app(records)) as client:
            state = client.app.state.records  # type: ignore[attr-defined]

            # The act is loaded as the demo data is, the terminal enrolled directly: no staff
            # login (officers need their second factor for keying).
            fields = birth()
            typed = {
                k: date.fromisoformat(v) if k.endswith("_date") else v for k, v in fields.items()
            }
            typed["event_time"] = dt_time.fromisoformat(fields["event_time"])
            with state.sessions() as session:
                BulkLoader(session, Actor("system"), action="act.demo_load").load(
                    [BulkAct("MK01", "birth", typed)]
                )
                session.commit()
            with state.sessions.begin() as session:
                _terminal, token = accounts.create_terminal(
                    session, Principal.system(), "kiosk-mk01-01", "MK01"
                )
            settings = KioskSettings(
                data_dir=Path(tmp) / "kiosk", terminal_id="kiosk-mk01-01", office_code="MK01",
                speech=False,
            )  # fmt: skip
            kiosk_http = TestClient(client.app)
            runtime = build_runtime(
                settings, simulated=True, backend=HttpBackend("", token, client=kiosk_http)
            )
            runtime.outbox.refill_codes("kiosk-mk01-01", low_water=10, size=journeys + 10)
            paper = runtime.simulated_paper
            assert paper is not None
            samples = []
            for i in range(journeys + 1):
                paper.load_paper(20_000)
                journey = RequestJourney(runtime.session.deps.request, Lang.FR)
                journey.choose_method(IdentifyMethod.REFERENCE)
                journey.reference(ActReference("MK01", 1990, fields["number"]), date(1990, 5, 14))
                journey.choose_document(DocumentKind.EXTRACT, 1)
                journey.requester("Mohamed El Alaoui")
                start = time.perf_counter()
                journey.confirm()
                journey.run_submission()
                if i:
                    samples.append((time.perf_counter() - start) * 1000)
                assert journey.accepted is not None, journey.reason
                assert not journey.accepted.pending
            runtime.close()
    return samples


_MEMORY_CHILD = r"""
import ctypes, gc, json, re, struct, sys, tempfile
from datetime import date
from pathlib import Path
import psutil

_MESA = ("LLVM", "dri", "gallium", "mesa", "glapi", "libGL", "libEGL", "libdrm")


class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = MallInfo2


def mb(n):
    return round(n / 2**20, 1)


def gl_names(generate, delete, alive):
    # Mesa hands out names upward: every name below a fresh one was given out once.
    probe = int(generate(1)[0])
    delete(1, struct.pack("I", probe))
    return sum(1 for name in range(1, probe) if alive(name))


def snapshot():
    # No collection here: what the app leaves alive between two citizens is what is measured.
    # Resident memory first, before this walk over every object adds its own.
    rss = mb(psutil.Process().memory_info().rss)
    from kivy.graphics import opengl as gl
    from kivy.graphics.texture import Texture
    from kivy.uix.widget import Widget
    objects = gc.get_objects()
    textures = sum(1 for o in objects if isinstance(o, Texture))
    widgets = sum(1 for o in objects if isinstance(o, Widget))
    del objects
    gl_textures = gl_names(gl.glGenTextures, gl.glDeleteTextures, gl.glIsTexture)
    mesa = heap = anon = 0
    path = ""
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) > 5 else ""
            elif line.startswith("Rss:"):
                kb = int(line.split()[1]) * 1024
                if any(k in path for k in _MESA):
                    mesa += kb
                elif path == "[heap]":
                    heap += kb
                elif path == "":
                    anon += kb
    info = libc.mallinfo2()
    from kivy.cache import Cache
    return {
        "rss": rss, "rss_after_walk": mb(psutil.Process().memory_info().rss), "mesa_libs": mb(mesa),
        "heap": mb(heap), "anon": mb(anon), "malloc_in_use": mb(info.uordblks + info.hblkhd),
        "malloc_free": mb(info.fordblks), "threads": psutil.Process().num_threads(),
        "kivy_cache": sum(len(v) for v in Cache._objects.values()),
        "textures": textures, "widgets": widgets, "gl_textures": gl_textures,
    }


total = int(sys.argv[1])
# Start as the service does (the unit's ExecStart is `sijill kiosk run`): its entry point's
# imports (the kiosk's commands only) and its logging, so the figures carry what a terminal does.
sys.argv = ["sijill", "kiosk", "run", "--simulated"]
import sijill.cli
from kiosk_terminal.cli import start_logging
from kiosk_terminal.settings import KioskSettings
settings = KioskSettings(data_dir=Path(tempfile.mkdtemp()), speech=False)
start_logging(settings)

before_window = mb(psutil.Process().memory_info().rss)
from kiosk_terminal.ui.config import configure_kivy
configure_kivy(False, 1280, 1024)
from kivy.clock import Clock
from kivy.core.window import Window  # the off-screen window and its Mesa context
with_window = mb(psutil.Process().memory_info().rss)
from kiosk_terminal.core.model import ActReference, DocumentKind, IdentifyMethod, Lang
from kiosk_terminal.runtime import build_runtime
from kiosk_terminal.ui.app import KioskApp

runtime = build_runtime(settings, simulated=True)
app = KioskApp(runtime)
s = runtime.session
report = {"before_window": before_window, "with_window": with_window}

def steps():
    yield ("snapshot", "start")
    for n in range(1, total + 1):
        lang = Lang.AR if n % 2 else Lang.FR
        # A fresh roll, and the receipt taken away: the simulator otherwise keeps every
        # byte it ever printed (~0.7 MB a journey), which a real printer does not.
        yield lambda: (runtime.simulated_paper.load_paper(20_000),
                       runtime.simulated_paper.printed.clear())
        yield s.wake
        yield lambda: s.choose_language(lang)
        yield s.start_request
        yield lambda: s.journey.choose_method(IdentifyMethod.REFERENCE)
        yield lambda: s.journey.reference(ActReference("MK07", 1990, n), date(1990, 1, 1))
        yield lambda: s.journey.choose_document(DocumentKind.EXTRACT, 1)
        yield lambda: s.journey.requester("سلمى بناني")
        yield app.submit
        yield "wait"
        yield s.finish
        if n in (1, max(1, total // 2), total) or n % 10 == 0:
            yield ("snapshot", str(n))

it = steps()
current = [None]

def next_step(dt):
    step = current[0]
    if step is None:
        try:
            step = current[0] = next(it)
        except StopIteration:
            app.stop()
            return
    if step == "wait":
        if s.journey is not None and s.journey.busy:
            Clock.schedule_once(next_step, 0.01)
            return
        current[0] = None
    elif isinstance(step, tuple) and step[0] == "snapshot":
        # Between two citizens: back on the attract loop once per journey (and once at start),
        # after the app freed the journey's screens and returned the heap, then one frame more
        # (Kivy deletes the GL side of freed textures on its next frame).
        if app.heap_releases < (1 if step[1] == "start" else 1 + int(step[1])):
            Clock.schedule_once(next_step, 0.05)
            return
        current[0] = ("settled", step[1])
    elif isinstance(step, tuple):
        report[step[1]] = snapshot()
        current[0] = None
    else:
        step()
        s.changed()
        current[0] = None
    Clock.schedule_once(next_step, 0)

app.bind(on_start=lambda *_: Clock.schedule_once(next_step, 0.2))
app.run()
print(json.dumps(report))
"""


def memory(journeys: int, env_extra: dict[str, str]) -> dict[str, Any]:
    env = _env() | env_extra
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(journeys)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"memory run failed:\n{out.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return report


def print_memory(label: str, journeys: int, report: dict[str, Any]) -> None:
    half = max(1, journeys // 2)
    start, mid, last = report["start"], report[str(half)], report[str(journeys)]
    print(
        f"resident memory ({label}): start {start['rss']:.0f} MB, after {half}: "
        f"{mid['rss']:.0f} MB, after {journeys}: {last['rss']:.0f} MB  (target ≤ 200 MB)"
    )
    print(f"  growth {half}→{journeys}: resident {last['rss'] - mid['rss']:+.1f} MB, malloc in "
          f"use {last['malloc_in_use'] - mid['malloc_in_use']:+.1f} MB; live Kivy textures "
          f"{mid['textures']}→{last['textures']}, widgets {mid['widgets']}→{last['widgets']}, "
          f"GL textures {mid['gl_textures']}→{last['gl_textures']}  (target: none)")  # fmt: skip
    series = sorted((int(k), v["rss"]) for k, v in report.items() if k.isdigit())
    print("  resident after journey n (MB): "
          + ", ".join(f"{n}: {rss:.0f}" for n, rss in series))  # fmt: skip
    window = report["with_window"] - report["before_window"]
    print(f"  Mesa: the off-screen window and its GL context add {window:.0f} MB; Mesa's "
          f"libraries (llvmpipe, LLVM) map {last['mesa_libs']:.0f} MB of it")  # fmt: skip
    for name in ("start", str(half), str(journeys)):
        snap = report[name]
        print(f"  at {name:>5}: heap {snap['heap']:.0f} MB, anonymous maps {snap['anon']:.0f} MB"
              f" (malloc in use {snap['malloc_in_use']:.0f} MB, free in arenas "
              f"{snap['malloc_free']:.0f} MB), {snap['threads']} threads, "
              f"{snap['textures']} Kivy textures, {snap['widgets']} widgets, "
              f"{snap['kivy_cache']} Kivy cache entries")  # fmt: skip


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--journeys", type=int, default=100)
    args = parser.parse_args()

    ready, shown = cold_start(args.starts)
    print(f"cold start → READY=1:           median {statistics.median(ready):.2f} s, "
          f"max {max(ready):.2f} s  (target ≤ 4 s; n={len(ready)})")  # fmt: skip
    print(f"cold start → attract on disk:   median {statistics.median(shown):.2f} s, "
          f"max {max(shown):.2f} s  (includes the 0.1 s screenshot delay)")  # fmt: skip

    samples = confirm_to_receipt(args.journeys)
    print(f"confirm → receipt bytes:        p50 {pct(samples, 0.5):.1f} ms, "
          f"p95 {pct(samples, 0.95):.1f} ms, max {max(samples):.1f} ms  "
          f"(target p95 ≤ 300 ms; n={len(samples)})")  # fmt: skip

    samples = confirm_to_receipt_records(args.journeys)
    print(f"  … with the records backend:    p50 {pct(samples, 0.5):.1f} ms, "
          f"p95 {pct(samples, 0.95):.1f} ms, max {max(samples):.1f} ms  "
          f"(its app in-process on SQLite, over its HTTP interface; n={len(samples)})")  # fmt: skip

    # As the product runs (configure_kivy sets the rendering environment the service unit
    # also sets), then with llvmpipe's default of one rasterizer thread per core.
    cores = os.cpu_count()
    for label, extra in (
        ("as shipped: LP_NUM_THREADS=0", {}),
        (f"llvmpipe default: LP_NUM_THREADS={cores}", {"LP_NUM_THREADS": str(cores)}),
    ):
        print_memory(label, args.journeys, memory(args.journeys, extra))


if __name__ == "__main__":
    main()
