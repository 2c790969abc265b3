"""The statistics page's kiosk usage in Debian's chromium, French and Arabic, with a fleet
manager fed over the real Mosquitto (screenshots in var/screenshots/web/)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import func, select

from central_broker.runner import RunningBroker
from fleet_manager.app import create_app as create_fleet_app
from fleet_manager.models import UsageDay
from fleet_manager.service import FleetService
from protocol.codec import encode
from protocol.messages import Event, EventKind
from protocol.topics import TerminalChannel, Topics
from records_backend.app import create_app
from records_backend.settings import RecordsSettings
from records_backend.web import demo
from records_backend.web.services.counter import local_today
from sijill.ports import free_port
from tests.integration.fleet_manager.fleet_helpers import (
    Probe,
    fleet_settings,
    start_terminal,
    wait_until,
)
from tests.serving import serving

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
SHOTS = Path("var/screenshots/web")
AXE = Path(__file__).parents[2] / "e2e" / "vendor" / "axe.min.js"
KIOSKS = (("kiosk-mk01-a", "MK01", 9), ("kiosk-mk02-a", "MK02", 5), ("kiosk-mk03-a", "MK03", 2))


def _axe(page: Page) -> list[tuple[str, list[Any]]]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document.querySelector('#kiosk'), {runOnly: "
        "['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})).violations"
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found]


def test_stats_page_kiosk_usage_in_a_browser(
    mosquitto: RunningBroker, topic_root: str, tmp_path: Path
) -> None:
    fleet_port = free_port()
    records = create_app(
        RecordsSettings(
            data_dir=tmp_path / "records",
            database_url=f"sqlite:///{tmp_path / 'records.db'}",
            argon2_time_cost=1,
            argon2_memory_kib=64,
            fleet_url=f"http://127.0.0.1:{fleet_port}",
        )
    )
    key = tmp_path / "records.pub.pem"
    key.write_text(records.state.records.tokens.key.public_pem())
    (tmp_path / "fleet").mkdir()
    fleet = FleetService.build(
        fleet_settings(mosquitto, topic_root, tmp_path / "fleet", auth_public_key_path=key)
    )
    with (
        serving(records, free_port()) as records_url,
        serving(create_fleet_app(service=fleet), fleet_port),
    ):
        demo.seed(records.state.records)
        assert fleet.runtime.wait_connected(10)
        agents = [start_terminal(mosquitto, topic_root, tid, office) for tid, office, _ in KIOSKS]
        probe = Probe(mosquitto.host, mosquitto.port)
        topics = Topics(topic_root)
        try:
            # Ten days of use, sent as the kiosks would have (their own timestamps).
            expected = 0
            for tid, _, per_day in KIOSKS:
                for back in range(10):
                    ts = datetime.now(UTC) - timedelta(days=back)
                    for n in range(per_day + back % 3):
                        for kind in (EventKind.REQUEST_SUBMITTED, EventKind.RECEIPT_PRINTED):
                            if kind is EventKind.RECEIPT_PRINTED and n == 0:
                                continue
                            event = Event(terminal_id=tid, kind=kind, ts=ts)
                            probe.publish(
                                topics.terminal(tid, TerminalChannel.EVENT), encode(event)
                            )
                        expected += 1
            agents[0].publish_event(EventKind.PAPER_OUT)

            def counted() -> int:
                with fleet.sessions() as session:
                    return int(session.scalar(select(func.sum(UsageDay.requests))) or 0)

            wait_until(lambda: counted() == expected, timeout_s=30)
            time.sleep(1.0)
            today = local_today()
            period = f"since={(today - timedelta(days=13)).isoformat()}&until={today.isoformat()}"
            SHOTS.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                try:
                    # bypass_csp only so the accessibility checker can be injected.
                    page = browser.new_page(
                        viewport={"width": 1280, "height": 900}, bypass_csp=True
                    )
                    page.goto(f"{records_url}/staff/login?lang=fr")
                    page.fill("#username", "stats")
                    page.fill("#password", demo.DEMO_PASSWORD)
                    page.click("button[type=submit]")
                    page.goto(f"{records_url}/staff/stats?{period}&lang=fr")
                    expect(page.locator("#kiosk-title")).to_have_text("Utilisation des bornes")
                    expect(page.locator('#kiosk-offices tr[data-office="MK01"]')).to_be_visible()
                    expect(page.locator("#kiosk svg.chart")).to_have_count(2)
                    page.locator("#kiosk").scroll_into_view_if_needed()
                    page.screenshot(path=str(SHOTS / "stats-kiosk-usage-fr.png"), full_page=True)
                    assert _axe(page) == []
                    page.goto(f"{records_url}/staff/stats?{period}&lang=ar")
                    assert page.get_attribute("html", "dir") == "rtl"
                    expect(page.locator("#kiosk-title")).to_have_text("استعمال الأكشاك")
                    page.screenshot(path=str(SHOTS / "stats-kiosk-usage-ar.png"), full_page=True)
                    assert _axe(page) == []
                finally:
                    browser.close()
        finally:
            probe.close()
            for agent in agents:
                agent.stop()
