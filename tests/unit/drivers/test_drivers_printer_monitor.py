"""The status monitor: events from status changes, absence and reconnection."""

from __future__ import annotations

from drivers.printer.interface import PrinterEvent, PrinterStatus
from drivers.printer.monitor import PrinterMonitor
from drivers.printer.simulator import PaperModel, SimulatedPrinter
from protocol.health import HealthState


def test_paper_cover_and_plug_events() -> None:
    printer = SimulatedPrinter(PaperModel(paper_mm=1000.0, near_end_mm=300.0))
    monitor = PrinterMonitor(printer)
    events: list[PrinterEvent] = []
    monitor.add_listener(lambda event, _status: events.append(event))
    monitor.poll()
    assert events == [PrinterEvent.ONLINE]
    printer.model.paper_mm = 200.0
    monitor.poll()
    printer.model.paper_mm = 0.0
    monitor.poll()
    printer.model.load_paper(20_000.0)
    monitor.poll()
    printer.model.cover_open = True
    monitor.poll()
    printer.model.cover_open = False
    monitor.poll()
    assert events[1:] == [
        PrinterEvent.PAPER_LOW,
        PrinterEvent.OFFLINE,
        PrinterEvent.PAPER_OUT,
        PrinterEvent.ONLINE,
        PrinterEvent.PAPER_OK,
        PrinterEvent.OFFLINE,
        PrinterEvent.COVER_OPEN,
        PrinterEvent.ONLINE,
        PrinterEvent.COVER_CLOSED,
    ]
    events.clear()
    printer.plugged = False
    monitor.poll()
    monitor.poll()
    assert events == [PrinterEvent.DISCONNECTED]
    printer.plugged = True
    monitor.poll()
    assert events == [PrinterEvent.DISCONNECTED, PrinterEvent.CONNECTED, PrinterEvent.ONLINE]


def test_health_follows_the_last_poll() -> None:
    printer = SimulatedPrinter()
    monitor = PrinterMonitor(printer, interval_s=0.01)
    assert monitor.health().state is HealthState.UNKNOWN  # not started
    monitor.start()
    try:
        monitor.poll()
        assert monitor.health().state is HealthState.OK
        printer.plugged = False
        monitor.poll()
        assert monitor.health().state is HealthState.ABSENT
    finally:
        monitor.stop()


def test_a_mute_printer_keeps_the_last_known_status() -> None:
    printer = SimulatedPrinter()
    monitor = PrinterMonitor(printer, status_timeout_s=0.01)
    monitor.poll()
    printer.latency_s = 0.05
    monitor.poll()
    assert monitor.last.known
    assert monitor.health().state is HealthState.UNKNOWN
    assert PrinterStatus.unknown().events_since(monitor.last) == []
