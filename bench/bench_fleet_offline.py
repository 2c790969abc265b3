"""Offline detection time at production settings (10 s telemetry, 15 s keep-alive).

A Mosquitto of our own, the fleet ingest and simulated terminals in one process. Some
terminals are killed (the broker publishes their Last Will), others go silent while
staying connected (only the missed-heartbeat sweep can tell); the time from each fault
to the fleet manager's "offline" is recorded. Prints figures; asserts nothing.
Target: within 2 heartbeats + 1 s (21 s) of the last heartbeat.

    .venv/bin/python bench/bench_fleet_offline.py --terminals 200 --faults 10
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from central_broker.runner import start_loopback_broker
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from fleet_manager.simulator import Fault, Simulator
from fleet_manager.status import Status

ROOT = "bench-offline/sijill/v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=200)
    parser.add_argument("--faults", type=int, default=10, help="terminals per fault kind")
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--keepalive", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sijill-offline-"))
    broker = start_loopback_broker(work)
    service = FleetService.build(
        FleetSettings(data_dir=work, mqtt_port=broker.port, topic_root=ROOT, office_hours="always")
    )
    service.start()
    assert service.runtime.wait_connected(10)
    sim = Simulator(
        args.terminals,
        port=broker.port,
        topic_root=ROOT,
        interval_s=args.interval,
        keepalive_s=args.keepalive,
    )
    print(f"connected {sim.connect_all()} terminals")
    stop = threading.Event()
    runner = threading.Thread(target=sim.run, args=(None, stop.is_set), daemon=True)
    runner.start()
    live = service.runtime.live
    deadline = time.monotonic() + 3 * args.interval + 30
    while time.monotonic() < deadline:
        online = sum(1 for lv in list(live.values()) if lv.status is Status.ONLINE)
        if online == args.terminals:
            break
        time.sleep(0.2)
    time.sleep(args.interval)  # steady state: every terminal has sent telemetry
    kinds = (Fault.KILL, Fault.FREEZE, Fault.MUTE)
    faulted: dict[str, tuple[Fault, float, float]] = {}
    for k, kind in enumerate(kinds):
        for j in range(args.faults):
            index = k * args.faults + j
            agent = sim.agents[index]
            last_beat = live[agent.options.terminal_id].last_seen or time.time()
            at = time.time()
            sim.inject(kind, index)
            faulted[agent.options.terminal_id] = (kind, at, last_beat)
    detected: dict[str, float] = {}
    end = time.monotonic() + 3 * args.interval + 2 * args.keepalive
    while len(detected) < len(faulted) and time.monotonic() < end:
        for tid in faulted:
            if tid not in detected and live[tid].status is Status.OFFLINE:
                detected[tid] = time.time()
        time.sleep(0.01)
    stop.set()
    runner.join(10)
    sim.stop()
    service.stop()
    broker.stop()
    print(f"telemetry every {args.interval:g} s, keep-alive {args.keepalive} s, sweep 0.25 s")
    for kind in kinds:
        after_fault = [
            detected[t] - at for t, (k, at, _) in faulted.items() if k is kind and t in detected
        ]
        after_beat = [
            detected[t] - lb for t, (k, _, lb) in faulted.items() if k is kind and t in detected
        ]
        missing = sum(1 for t, (k, _, _) in faulted.items() if k is kind and t not in detected)
        if not after_fault:
            print(f"{kind.value:7s} none detected")
            continue
        print(
            f"{kind.value:7s} after fault: median {statistics.median(after_fault):6.2f} s"
            f" max {max(after_fault):6.2f} s | after last heartbeat: max {max(after_beat):6.2f} s"
            f" | missed {missing}"
        )


if __name__ == "__main__":
    main()
