"""Protocol codec throughput: how many telemetry messages one core encodes and decodes.

The fleet ingest must drain ≥ 10,000 messages/s; decoding is its first step, so it has to
be far faster than that. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_protocol.py
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from protocol.codec import decode, encode
from protocol.codes import RequestCode
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import Telemetry

N = 20_000


def sample() -> Telemetry:
    return Telemetry(
        terminal_id="kiosk-mk07-1",
        ts=datetime.now(UTC),
        seq=42,
        uptime_s=3600.5,
        devices={
            DeviceKind.PRINTER: DeviceHealth.degraded("paper low", paper_cm=120),
            DeviceKind.CARD_READER: DeviceHealth.ok(),
            DeviceKind.SCANNER: DeviceHealth.ok(),
        },
        outbox_pending=2,
        disk_free_pct=71.5,
        cpu_pct=12.0,
        mem_pct=33.0,
        software_version="0.1.0",
        config_version=3,
    )


def rate(fn: object, n: int) -> tuple[float, float]:
    assert callable(fn)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append(n / (time.perf_counter() - start))
    return statistics.median(runs), min(runs)


def main() -> None:
    message = sample()
    payload = encode(message)
    print(f"telemetry payload: {len(payload)} bytes")
    med, low = rate(lambda: encode(message), N)
    print(f"encode telemetry:  {med:,.0f} msg/s median (worst of 5: {low:,.0f})")
    med, low = rate(lambda: decode(Telemetry, payload), N)
    print(f"decode telemetry:  {med:,.0f} msg/s median (worst of 5: {low:,.0f})")
    med, low = rate(lambda: decode(Telemetry, b"{not json"), N)
    print(f"reject malformed:  {med:,.0f} msg/s median (worst of 5: {low:,.0f})")
    code = str(RequestCode("MK07", 2026, 4213))
    med, low = rate(lambda: RequestCode.parse(code), N)
    print(f"parse request code: {med:,.0f} /s median (worst of 5: {low:,.0f})")


if __name__ == "__main__":
    main()
