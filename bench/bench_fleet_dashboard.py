"""Dashboard page time with a large fleet (default 5,000 terminals, 40 open alerts).

The fleet is written through the ingest's own path (live state → database flush); pages
are then requested in-process (no network) and timed. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_fleet_dashboard.py --terminals 5000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from fleet_manager.app import create_app
from fleet_manager.models import StatusChange, UsageDay
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from fleet_manager.usage_store import roll_up
from protocol.codec import encode
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import Presence, Telemetry, TerminalState
from protocol.topics import TerminalChannel

OFFICES = tuple(f"MK{i:02d}" for i in range(19))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--days", type=int, default=30, help="days of kiosk usage stored")
    args = parser.parse_args()
    settings = FleetSettings(
        data_dir=Path(tempfile.mkdtemp(prefix="sijill-dash-")),
        ingest_enabled=False,
        office_hours="always",
        alert_raise_after_s=0,
        history_sample_s=0,
    )
    service = FleetService.build(settings)
    runtime = service.runtime
    topics = runtime.topics
    now = time.time()
    for i in range(args.terminals):
        tid = f"kiosk-{i:05d}"
        printer = DeviceHealth.error("paper out") if i % 125 == 0 else DeviceHealth.ok()
        state = TerminalState(terminal_id=tid, presence=Presence.ONLINE, office=OFFICES[i % 19])
        runtime.handle(topics.terminal(tid, TerminalChannel.STATE), encode(state), now)
        tel = Telemetry(
            terminal_id=tid,
            ts=datetime.now(UTC),
            seq=1,
            uptime_s=10,
            devices={DeviceKind.PRINTER: printer, DeviceKind.CARD_READER: DeviceHealth.ok()},
            disk_free_pct=55,
            cpu_pct=10,
            mem_pct=40,
        )
        runtime.handle(topics.terminal(tid, TerminalChannel.TELEMETRY), encode(tel), now)
    runtime.sweep(now)
    runtime.flush(now)
    usage_url = _usage_history(service, args.terminals, args.days)
    pages = [
        "/",
        "/alerts",
        "/office/MK07",
        "/terminal/kiosk-00125",
        "/api/terminals",  # the first page (200 by default)
        "/api/terminals?limit=1000",  # the largest page
        "/metrics",
    ]
    with TestClient(create_app(service=service)) as client:
        print(
            f"terminals {args.terminals}, open alerts {client.get('/api/alerts').json()['total']}"
        )
        for page in pages:
            client.get(page)  # warm up
            times = []
            size = 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(page)
                times.append((time.perf_counter() - started) * 1000)
                size = len(response.content)
                assert response.status_code == 200, page
            times.sort()
            p95 = times[max(0, int(len(times) * 0.95) - 1)]
            print(
                f"{page:24s} median {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms"
                f"  {size / 1024:7.0f} KiB"
            )
        # A client that wants every terminal walks the pages.
        times = []
        for _ in range(max(args.repeat // 4, 1)):
            started = time.perf_counter()
            cursor: str | None = None
            fetched = 0
            while True:
                query = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
                body = client.get("/api/terminals", params=query).json()
                fetched += len(body["items"])
                cursor = body["next_cursor"]
                if cursor is None:
                    break
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{'/api/terminals all pages':24s} median {statistics.median(times):7.1f} ms"
            f"  ({fetched} terminals, pages of 1000)"
        )
        # Kiosk usage: every day replayed from the status changes, then with the finished
        # days folded (as the ingest's housekeeping does every few minutes).
        for label in ("replayed", "folded"):
            if label == "folded":
                started = time.perf_counter()
                with service.sessions.begin() as session:
                    while roll_up(session, runtime.hours, datetime.now(UTC), max_days=3):
                        pass
                took = (time.perf_counter() - started) * 1000
                print(f"{'availability folded':24s} {took:7.1f} ms for {args.days - 1} days")
            times = []
            for _ in range(3):
                started = time.perf_counter()
                usage = client.get(usage_url).json()
                times.append((time.perf_counter() - started) * 1000)
            print(
                f"{'/api/v1/usage ' + label:24s} median {statistics.median(times):7.1f} ms"
                f"  ({args.days} days, {len(usage['offices'])} offices)"
            )


def _usage_history(service: FleetService, terminals: int, days: int) -> str:
    """Stored usage as the ingest writes it: a row per terminal and day, and each day an
    hour offline (two status changes) for every terminal. Returns the query's address."""
    today = datetime.now(UTC).date()
    with service.sessions.begin() as session:
        for back in range(1, days):
            day = today - timedelta(days=back)
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            session.execute(
                insert(UsageDay),
                [
                    {
                        "day": day,
                        "terminal_id": f"kiosk-{i:05d}",
                        "office": OFFICES[i % 19],
                        "requests": 30 + i % 7,
                        "receipts": 29 + i % 7,
                        "faults": i % 2,
                    }
                    for i in range(terminals)
                ],
            )
            session.execute(
                insert(StatusChange),
                [
                    {
                        "terminal_id": f"kiosk-{i:05d}",
                        "office": OFFICES[i % 19],
                        "ts": noon + timedelta(hours=hour),
                        "status": status,
                    }
                    for i in range(terminals)
                    for hour, status in ((0, "offline"), (1, "online"))
                ],
            )
    since = today - timedelta(days=days - 1)
    return f"/api/v1/usage?since={since.isoformat()}&until={today.isoformat()}"


if __name__ == "__main__":
    main()
