"""Kiosk figures: cold start to the attract screen, confirm → receipt bytes, memory over journeys.

Run: .venv/bin/python bench/bench_kiosk.py [--starts N] [--journeys N]

- cold start: ``sijill kiosk run --simulated`` off-screen (no DISPLAY), from process start to
  systemd's READY=1 (app built, first screen rendered next frame) and to the attract screen's
  screenshot on disk (that file is written 0.1 s after the first render);
- confirm → receipt bytes: from pressing Confirm to the last ESC/POS byte written to the
  simulated printer: outbox write (WAL, synchronous=FULL), the backend call, receipt render
  and encode. The backend is an in-process stand-in that accepts at once (a local backend
  without network or database time);
- memory: the real Kivy app renders every step of N request journeys (one step per frame);
  resident memory after journey 50 and after journey N.
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

    from fastapi.testclient import TestClient

    from kiosk_terminal.core.model import ActReference, DocumentKind, IdentifyMethod, Lang
    from kiosk_terminal.core.request import RequestJourney
    from kiosk_terminal.runtime import build_runtime
    from kiosk_terminal.services.backend_http import HttpBackend
    from kiosk_terminal.settings import KioskSettings
    from records_backend.app import create_app
    from records_backend.domain.roles import Role
    from records_backend.services import accounts
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

            def login(name: str, roles: list[Role]) -> dict[str, str]:
                with state.sessions.begin() as session:
                    accounts.create_user(
                        session, state.passwords, Principal.system(), username=name,
                        full_name=name.title(), password="bench-pass-42", roles=roles,
                        office_codes=["MK01"], all_offices=False,
                    )  # fmt: skip
                r = client.post(
                    "/api/v1/auth/login", json={"username": name, "password": "bench-pass-42"}
                )
                return {"Authorization": f"Bearer {r.json()['access_token']}"}

            one, two = login("keyer.one", [Role.OFFICER]), login("keyer.two", [Role.OFFICER])
            fields = birth()
            act = client.post(
                "/api/v1/acts", headers=one,
                json={"office": "MK01", "kind": "birth", "source": "register_page",
                      "fields": fields},
            ).json()  # fmt: skip
            client.post(f"/api/v1/acts/{act['id']}/second-keying", headers=two, json=fields)
            tech = login("tech", [Role.TECHNICIAN])
            token = client.post(
                "/api/v1/terminals", headers=tech,
                json={"terminal_id": "kiosk-mk01-01", "office": "MK01"},
            ).json()["token"]  # fmt: skip
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
import json, sys, tempfile
from datetime import date
from pathlib import Path
import psutil
from kiosk_terminal.ui.config import configure_kivy
configure_kivy(False, 1280, 1024)
from kivy.clock import Clock
from kiosk_terminal.core.model import ActReference, DocumentKind, IdentifyMethod, Lang
from kiosk_terminal.runtime import build_runtime
from kiosk_terminal.settings import KioskSettings
from kiosk_terminal.ui.app import KioskApp

total = int(sys.argv[1])
tmp = tempfile.mkdtemp()
runtime = build_runtime(KioskSettings(data_dir=Path(tmp), speech=False), simulated=True)
app = KioskApp(runtime)
s = runtime.session
rss = {}

def steps():
    for n in range(1, total + 1):
        lang = Lang.AR if n % 2 else Lang.FR
        yield lambda: runtime.simulated_paper.load_paper(20_000)  # a fresh roll each time
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
        if n in (1, 50, total):
            yield ("rss", n)

it = steps()
current = [None]

def next_step(dt):
    if current[0] != "wait":
        try:
            current[0] = next(it)
        except StopIteration:
            app.stop()
            return
    step = current[0]
    if step == "wait":
        if s.journey is not None and s.journey.busy:
            Clock.schedule_once(next_step, 0.01)
            return
        current[0] = None
    elif isinstance(step, tuple):
        __import__("gc").collect()
        rss[step[1]] = psutil.Process().memory_info().rss / 2**20
    else:
        step()
        s.changed()
    Clock.schedule_once(next_step, 0)

app.bind(on_start=lambda *_: Clock.schedule_once(next_step, 0.2))
app.run()
print(json.dumps(rss))
"""


def memory(journeys: int, mmap_threshold: bool) -> dict[str, float]:
    env = _env()
    if mmap_threshold:
        env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(journeys)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"memory run failed:\n{out.stderr[-3000:]}")
    last = out.stdout.strip().splitlines()[-1]
    return {k: float(v) for k, v in json.loads(last).items()}


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

    for label, env_threshold in (("as started", False), ("MALLOC_MMAP_THRESHOLD_", True)):
        rss = memory(args.journeys, env_threshold)
        first, mid, last = rss["1"], rss["50"], rss[str(args.journeys)]
        print(f"resident memory ({label}): after 1: {first:.0f} MB, after 50: {mid:.0f} MB, "
              f"after {args.journeys}: {last:.0f} MB, growth 50→{args.journeys}: "
              f"{last - mid:+.1f} MB  (target ≤ 200 MB, no growth)")  # fmt: skip


if __name__ == "__main__":
    main()
