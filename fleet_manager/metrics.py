"""Prometheus metrics: the fleet (terminals by status, open alerts, ingest) and the service."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client import Counter as PromCounter
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from fleet_manager.status import Status


class _FleetCollector(Collector):
    def __init__(
        self,
        by_status: Callable[[], Counter[str]],
        alerts_open: Callable[[], Counter[str]],
        received: Callable[[], Counter[str]],
        dropped: Callable[[], Counter[str]],
    ) -> None:
        self._by_status = by_status
        self._alerts_open = alerts_open
        self._received = received
        self._dropped = dropped

    def collect(self) -> Iterator[Metric]:
        terminals = GaugeMetricFamily(
            "sijill_fleet_terminals", "Terminals by derived status", labels=["status"]
        )
        counts = self._by_status()
        for status in Status:
            terminals.add_metric([status.value], counts.get(status.value, 0))
        yield terminals
        alerts = GaugeMetricFamily(
            "sijill_fleet_alerts_open", "Open or acknowledged alerts by rule", labels=["rule"]
        )
        for rule, count in sorted(self._alerts_open().items()):
            alerts.add_metric([rule], count)
        yield alerts
        # Counted by the ingest thread itself (cheaper than a metric call per message).
        received = CounterMetricFamily(
            "sijill_fleet_messages_received", "Messages taken from the broker", labels=["kind"]
        )
        for kind, count in sorted(self._received().items()):
            received.add_metric([kind], count)
        yield received
        dropped = CounterMetricFamily(
            "sijill_fleet_messages_dropped", "Messages refused by the ingest", labels=["reason"]
        )
        for reason, count in sorted(self._dropped().items()):
            dropped.add_metric([reason], count)
        yield dropped


class FleetMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.notifications = PromCounter(
            "sijill_fleet_alert_notifications",
            "Alert notices queued",
            ["kind"],
            registry=self.registry,
        )
        self.http = Histogram(
            "sijill_fleet_http_request_seconds",
            "Dashboard and API request time",
            ["method", "route", "code"],
            registry=self.registry,
        )

    def watch(
        self,
        by_status: Callable[[], Counter[str]],
        alerts_open: Callable[[], Counter[str]],
        received: Callable[[], Counter[str]],
        dropped: Callable[[], Counter[str]],
    ) -> None:
        self.registry.register(_FleetCollector(by_status, alerts_open, received, dropped))
