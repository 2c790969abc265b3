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
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from fleet_manager.app import create_app
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from protocol.codec import encode
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import Presence, Telemetry, TerminalState
from protocol.topics import TerminalChannel

OFFICES = tuple(f"MK{i:02d}" for i in range(19))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20)
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
    pages = ["/", "/alerts", "/office/MK07", "/terminal/kiosk-00125", "/api/terminals", "/metrics"]
    with TestClient(create_app(service=service)) as client:
        print(f"terminals {args.terminals}, open alerts {len(client.get('/api/alerts').json())}")
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


if __name__ == "__main__":
    main()
