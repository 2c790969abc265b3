"""Simulated terminals sustained at a 10 s heartbeat: broker, simulators and the fleet
manager on the same machine, each in its own process.

Reports how many terminals the fleet manager sees online, the telemetry rate it ingests
against the rate expected (terminals / interval), its largest backlog, and each
process's CPU. Prints figures; asserts nothing. Target: ≥ 20,000 terminals.

    .venv/bin/python bench/bench_fleet_terminals.py --terminals 20000 --procs 2 --seconds 60

Every connection is a file descriptor in the broker: the open-file hard limit
(``ulimit -Hn``) caps the terminals one broker process can hold.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from central_broker.runner import start_loopback_broker
from sijill.ports import free_port

ROOT = "bench-fleet/sijill/v1"
_ONLINE = re.compile(r'^sijill_fleet_terminals\{status="online"\} (\S+)$', re.M)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=20_000)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--interval", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured steady state")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the broker
    work = Path(tempfile.mkdtemp(prefix="sijill-sustain-"))
    broker = start_loopback_broker(work)
    http_port = free_port()
    env = {
        **os.environ,
        "SIJILL_FLEET_TOPIC_ROOT": ROOT,
        "SIJILL_FLEET_OFFICE_HOURS": "always",
        "SIJILL_FLEET_LOG_LEVEL": "WARNING",
    }
    cli = [sys.executable, "-c", "from fleet_manager.cli import app; app()"]
    fleet = subprocess.Popen(
        [
            *cli,
            "serve",
            "--port",
            str(http_port),
            "--data-dir",
            str(work),
            "--mqtt-port",
            str(broker.port),
        ],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http_port}"
    with httpx.Client(timeout=30) as http:
        for _ in range(200):
            try:
                if http.get(base + "/healthz").json()["broker_connected"]:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        per = args.terminals // args.procs
        sims = [
            subprocess.Popen(
                [
                    *cli,
                    "simulate",
                    "--terminals",
                    str(per),
                    "--port",
                    str(broker.port),
                    "--root",
                    ROOT,
                    "--interval",
                    str(args.interval),
                    "--prefix",
                    f"s{k}",
                ],
                env=env,
                stderr=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                text=True,
            )
            for k in range(args.procs)
        ]
        total = per * args.procs
        started = time.monotonic()
        online = 0.0
        while time.monotonic() - started < 600:
            text = http.get(base + "/metrics").text
            match = _ONLINE.search(text)
            online = float(match.group(1)) if match else 0.0
            if online >= total:
                break
            time.sleep(1.0)
        ramp = time.monotonic() - started
        print(
            f"terminals {total} in {args.procs} simulators; {online:.0f} online after {ramp:.0f} s"
        )
        procs = {"broker": psutil.Process(broker.process.pid), "fleet": psutil.Process(fleet.pid)}
        procs.update({f"simulator{k}": psutil.Process(p.pid) for k, p in enumerate(sims)})
        for p in procs.values():
            p.cpu_percent(None)
        first = http.get(base + "/healthz").json()
        t0 = time.monotonic()
        max_backlog, min_online = 0, online
        while time.monotonic() - t0 < args.seconds:
            time.sleep(2.0)
            health = http.get(base + "/healthz").json()
            max_backlog = max(max_backlog, health["backlog"])
            match = _ONLINE.search(http.get(base + "/metrics").text)
            min_online = min(min_online, float(match.group(1)) if match else 0.0)
        last = http.get(base + "/healthz").json()
        elapsed = time.monotonic() - t0
        cpu = {name: p.cpu_percent(None) for name, p in procs.items()}
        page_started = time.perf_counter()
        http.get(base + "/")
        page_ms = (time.perf_counter() - page_started) * 1000
    rate = (last["processed"] - first["processed"]) / elapsed
    print(
        f"ingest {rate:,.0f} msg/s (expected {total / args.interval:,.0f}); "
        f"largest backlog {max_backlog}; fewest online {min_online:.0f}; dropped {last['dropped']}"
    )
    print("CPU % (100 = one core): " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items()))
    print(f"dashboard overview with this fleet: {page_ms:.0f} ms")
    for sim in sims:
        sim.terminate()
    for sim in sims:
        sim.wait(60)
    fleet.terminate()
    fleet.wait(30)
    broker.stop()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


if __name__ == "__main__":
    main()
