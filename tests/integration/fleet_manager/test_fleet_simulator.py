"""Simulated terminals on one loop, with faults, seen by the fleet manager."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest

from central_broker.runner import RunningBroker
from fleet_manager.simulator import Fault, FaultPlan, Simulator
from tests.integration.fleet_manager.fleet_helpers import fleet_settings, running_fleet, wait_until

pytestmark = pytest.mark.integration


def test_simulated_fleet_with_faults(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    settings = fleet_settings(mosquitto, topic_root, tmp_path)
    with running_fleet(settings) as (client, _service):
        sim = Simulator(
            40,
            host=mosquitto.host,
            port=mosquitto.port,
            topic_root=topic_root,
            interval_s=1.0,
            keepalive_s=2,
            offices=("MK01", "MK02", "MK03", "MK04"),
        )
        assert sim.connect_all(timeout_s=30) == 40
        stop = threading.Event()
        runner = threading.Thread(target=sim.run, args=(None, stop.is_set), daemon=True)
        runner.start()
        try:

            def counts() -> Counter[str]:
                return Counter(t["status"] for t in client.get("/api/terminals").json()["items"])

            wait_until(lambda: counts()["online"] == 40, timeout_s=20)
            for plan in ("kill:1", "freeze:1", "mute:1", "paper_out:1", "card_missing:1"):
                sim.schedule(FaultPlan.parse(plan))
            wait_until(lambda: counts() == Counter(online=35, offline=3, degraded=2), 20)

            def reasons() -> list[str]:
                rows = client.get("/api/terminals", params={"status": "offline"}).json()["items"]
                return sorted(t["reason"] for t in rows)

            # The frozen one misses heartbeats first; the broker's keep-alive then fires its Will.
            wait_until(lambda: reasons() == ["last_will", "last_will", "missed_heartbeats"], 20)
            rules = Counter(a["rule"] for a in client.get("/api/alerts").json()["items"])
            assert rules == Counter(offline=3, paper_out=1, card_reader_missing=1)
            grid = client.get("/").text
            assert grid.count('class="office ') == 4
        finally:
            stop.set()
            runner.join(10)
            sim.stop()


def test_fault_specs() -> None:
    assert FaultPlan.parse("kill:2@30") == FaultPlan(Fault.KILL, 2, 30.0)
    assert FaultPlan.parse("paper_low") == FaultPlan(Fault.PAPER_LOW, 1, 0.0)
    with pytest.raises(ValueError, match="kind"):
        FaultPlan.parse("meteor:1")
