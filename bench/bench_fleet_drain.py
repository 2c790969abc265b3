"""Telemetry drain rate: the fleet ingest against ``mosquitto_sub`` on the same backlog.

A Mosquitto of our own holds a backlog for two persistent sessions (QoS 1): the fleet
ingest's and ``mosquitto_sub``'s. With both away, a publisher process writes N telemetry
messages from many terminals as fast as the broker takes them; then both consumers start
together and drain their copy. The ingest does all its work on each message (decoding,
status, alert rules, database writes). Prints figures; asserts nothing.
Target: ≥ 10,000 msg/s for the ingest, and its ratio to ``mosquitto_sub``.

    .venv/bin/python bench/bench_fleet_drain.py --messages 200000 --terminals 2000
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from central_broker.config import BrokerConfig, Listener
from central_broker.runner import start_broker
from fleet_manager import wire
from fleet_manager.service import FleetService
from fleet_manager.settings import FleetSettings
from protocol.codec import encode
from protocol.health import DeviceHealth, DeviceKind
from protocol.messages import Telemetry
from protocol.topics import TerminalChannel, Topics
from sijill.ports import free_port

ROOT = "bench/sijill/v1"
FILTER = f"{ROOT}/terminal/+/telemetry"


def payloads(terminals: int) -> list[tuple[str, bytes]]:
    topics = Topics(ROOT)
    out = []
    for i in range(terminals):
        tid = f"bench-{i:05d}"
        msg = Telemetry(
            terminal_id=tid,
            ts=datetime.now(UTC),
            seq=1,
            uptime_s=100.0,
            devices={
                DeviceKind.PRINTER: DeviceHealth.ok(),
                DeviceKind.CARD_READER: DeviceHealth.ok(),
            },
            disk_free_pct=60.0,
            cpu_pct=12.5,
            mem_pct=40.0,
            software_version="0.1.0",
        )
        out.append((topics.terminal(tid, TerminalChannel.TELEMETRY), encode(msg)))
    return out


def publish_all(port: int, messages: int, terminals: int) -> None:
    """The publisher process: pre-encoded QoS 1 PUBLISH packets written in large chunks."""
    data = payloads(terminals)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(wire.connect("bench-publisher", 60))
    acks = bytearray()

    def read_acks() -> None:  # keep the broker's PUBACKs flowing
        while chunk := sock.recv(1 << 20):
            acks.extend(chunk[-4:])

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    chunk = bytearray()
    for n in range(messages):
        topic, payload = data[n % len(data)]
        chunk += wire.publish(topic, payload, qos=1, packet_id=n % 65535 + 1)
        if len(chunk) > 256 * 1024:
            sock.sendall(chunk)
            chunk.clear()
    last_id = (messages - 1) % 65535 + 1
    sock.sendall(chunk)
    end = time.monotonic() + 120
    while bytes(acks[-4:]) != wire.puback(last_id) and time.monotonic() < end:
        time.sleep(0.01)  # the last PUBACK: the broker holds every message
    sock.sendall(wire.DISCONNECT_PACKET)
    sock.close()


def sub_command(port: int, extra: list[str]) -> list[str]:
    return [
        "mosquitto_sub",
        "-p",
        str(port),
        "-t",
        FILTER,
        "-q",
        "1",
        "-c",
        "-i",
        "bench-sub",
        *extra,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--terminals", type=int, default=2_000)
    parser.add_argument("--publisher-port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.publisher_port:
        publish_all(args.publisher_port, args.messages, args.terminals)
        return
    work = Path(tempfile.mkdtemp(prefix="sijill-drain-"))
    broker = start_broker(
        BrokerConfig(
            listeners=(Listener(port=free_port()),),
            data_dir=work / "mq",
            persistence=False,
            max_queued_messages=2 * args.messages,  # the whole backlog, for each session
        ),
        work / "mq",
    )
    settings = FleetSettings(
        data_dir=work,
        mqtt_port=broker.port,
        topic_root=ROOT,
        office_hours="always",
        mqtt_persistent_session=True,
        missed_heartbeats=1000,  # the backlog is a burst, not a fleet going silent
    )
    # 1. Both consumers subscribe once (persistent sessions), then go away.
    first = FleetService.build(settings)
    first.start()
    assert first.runtime.wait_connected(10)
    first.stop()
    subprocess.run(sub_command(broker.port, ["-W", "1"]), stdout=subprocess.DEVNULL, check=False)
    # 2. The backlog.
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--publisher-port",
            str(broker.port),
            "--messages",
            str(args.messages),
            "--terminals",
            str(args.terminals),
        ],
        check=True,
    )
    publish_s = time.perf_counter() - started
    # 3. Both drain it, at the same time.
    service = FleetService.build(settings)
    sub_done: list[float] = []
    t0 = time.perf_counter()
    sub = subprocess.Popen(
        sub_command(broker.port, ["-C", str(args.messages)]), stdout=subprocess.DEVNULL
    )

    def wait_sub() -> None:
        sub.wait()
        sub_done.append(time.perf_counter())

    waiter = threading.Thread(target=wait_sub)
    waiter.start()
    service.start()
    runtime = service.runtime
    last, last_change = -1, time.monotonic()
    while runtime.processed < args.messages and time.monotonic() - last_change < 10:
        if runtime.processed != last:
            last, last_change = runtime.processed, time.monotonic()
        time.sleep(0.002)
    ingest_s = time.perf_counter() - t0
    waiter.join(120)
    service.stop()
    broker.stop()
    sub_s = (sub_done[0] if sub_done else float("nan")) - t0
    dropped = sum(runtime.counters.dropped.values())
    print(f"backlog             {args.messages} telemetry messages from {args.terminals} terminals")
    print(f"published (QoS 1)   {args.messages / publish_s:,.0f} msg/s incl. process start")
    print(
        f"ingest drained      {runtime.processed} (dropped {dropped}) "
        f"at {runtime.processed / ingest_s:,.0f} msg/s ({ingest_s:.2f} s)"
    )
    print(f"mosquitto_sub       {args.messages / sub_s:,.0f} msg/s ({sub_s:.2f} s)")
    print(f"ingest / mosquitto_sub  {sub_s / ingest_s:.2f}")


if __name__ == "__main__":
    main()
