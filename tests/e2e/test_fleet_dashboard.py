"""The fleet dashboard in a real browser (Debian's chromium) with simulated terminals."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect, sync_playwright

from central_broker.runner import RunningBroker
from fleet_manager.app import create_app
from fleet_manager.settings import FleetSettings
from fleet_manager.simulator import FaultPlan, Simulator
from sijill.ports import free_port

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KEY = Ed25519PrivateKey.generate()
SHOTS = Path("var/screenshots")


@pytest.fixture
def dashboard(mosquitto: RunningBroker, topic_root: str, tmp_path: Path) -> Iterator[str]:
    pem = tmp_path / "records.pub.pem"
    pem.write_bytes(
        KEY.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = FleetSettings(
        data_dir=tmp_path,
        mqtt_host=mosquitto.host,
        mqtt_port=mosquitto.port,
        topic_root=topic_root,
        auth_public_key_path=pem,
        office_hours="always",
        sweep_interval_s=0.1,
        telemetry_flush_s=0.5,
        history_sample_s=0.0,
        alert_raise_after_s=0.0,
        alert_offline_after_s=0.0,
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < end, "dashboard did not start"
        time.sleep(0.05)
    sim = Simulator(
        24,
        host=mosquitto.host,
        port=mosquitto.port,
        topic_root=topic_root,
        interval_s=1.0,
        keepalive_s=2,
        offices=("MK01", "MK02", "MK03", "MK04", "MK05", "MK06"),
    )
    assert sim.connect_all(timeout_s=30) == 24
    for plan in ("kill:2", "paper_low:2", "paper_out:1", "card_missing:1"):
        sim.schedule(FaultPlan.parse(plan))
    stop = threading.Event()
    runner = threading.Thread(target=sim.run, args=(None, stop.is_set), daemon=True)
    runner.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        runner.join(10)
        sim.stop()
        server.should_exit = True
        thread.join(15)


def _sign_in(page: Page, base: str) -> None:
    claims = {
        "sub": "op-1",
        "name": "Samira Operator",
        "roles": ["fleet_operator"],
        "offices": ["*"],
        "exp": int(time.time()) + 600,
        "iss": "sijill-records",
        "aud": "sijill",
    }
    page.goto(base + "/")
    expect(page).to_have_url(base + "/login")
    page.fill("textarea[name=token]", jwt.encode(claims, KEY, algorithm="EdDSA"))
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/")


def test_dashboard_grid_terminal_page_and_command(dashboard: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            _sign_in(page, dashboard)
            # Killed terminals go offline, faulty printers degrade: the page says so once the
            # simulated fleet has reported (the page is reloaded until then).
            seen: tuple[int, str, str, str, str] = (0, "", "", "", "")
            for _ in range(100):
                page.goto(dashboard + "/")
                seen = (
                    page.locator("article.office").count(),
                    page.locator('[data-status="online"]').inner_text(),
                    page.locator('[data-status="offline"]').inner_text(),
                    page.locator('[data-status="degraded"]').inner_text(),
                    page.locator("#open-alerts").inner_text(),
                )
                if seen == (6, "18", "2", "4", "6"):
                    break
                time.sleep(0.2)
            assert seen == (6, "18", "2", "4", "6")
            page.screenshot(path=str(SHOTS / "fleet-overview-fr.png"), full_page=True)

            page.goto(dashboard + "/alerts")
            expect(page.locator("tr[data-rule=paper_out]")).to_have_count(1)
            page.locator("tr[data-rule=paper_out] button").click()
            expect(page.locator("tr[data-rule=paper_out]")).to_contain_text("Samira Operator")

            page.locator("tr[data-rule=paper_out] a").first.click()
            expect(page.locator("#status")).to_have_text("dégradée")
            expect(page.locator("svg.chart")).to_have_count(4)
            expect(page.locator("ul.events")).to_contain_text("paper_out (printer)")
            page.select_option("select[name=name]", "self_test")
            page.click("form.command button")
            for _ in range(50):
                if page.locator(".cmd-status").first.get_attribute("data-status") == "succeeded":
                    break
                time.sleep(0.1)
                page.reload()
            expect(page.locator(".cmd-status").first).to_have_text("réussie")
            page.screenshot(path=str(SHOTS / "fleet-terminal-fr.png"), full_page=True)

            terminal_url = page.url.split("#")[0]
            page.goto(terminal_url + "?lang=ar")
            expect(page.locator("#status")).to_have_text("متدهور")
            page.screenshot(path=str(SHOTS / "fleet-terminal-ar.png"), full_page=True)
            page.goto(dashboard + "/?lang=ar")
            assert page.get_attribute("html", "dir") == "rtl"
            expect(page.locator("h1")).to_have_text("نظرة عامة")
            page.screenshot(path=str(SHOTS / "fleet-overview-ar.png"), full_page=True)
            # Nothing came from anywhere but the service itself.
            requested: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            page.reload()
            assert requested
            assert all(url.startswith(dashboard) for url in requested)
        finally:
            browser.close()


def test_message_of_the_day_sent_from_the_dashboard(dashboard: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            _sign_in(page, dashboard)
            for _ in range(100):
                page.goto(dashboard + "/office/MK01")
                if page.locator("tr.s-online a").count():
                    break
                time.sleep(0.2)
            page.locator("tr.s-online a").first.click()
            terminal_url = page.url.split("?")[0].split("#")[0]

            form = page.locator("form#cmd-set_message")
            form.locator("#message_ar").fill("مرحبا بكم، المكتب مفتوح حتى الرابعة والنصف")
            form.locator("#message_fr").fill("Bienvenue, bureau ouvert jusqu'à 16 h 30")
            form.locator("button").click()
            for _ in range(50):
                if page.locator(".cmd-status").first.get_attribute("data-status") == "succeeded":
                    break
                time.sleep(0.1)
                page.reload()
            first = page.locator("table.list tbody tr").first
            expect(first.locator(".cmd-status")).to_have_text("réussie")
            expect(first).to_contain_text("set_message")
            expect(first).to_contain_text("Bienvenue, bureau ouvert")
            expect(first).to_contain_text('"shown": true')
            page.screenshot(path=str(SHOTS / "fleet-set-message-fr.png"), full_page=True)

            # Too long: refused before anything is sent, said in the operator's language.
            sent_before = page.locator(".cmd-status").count()
            field = page.locator("form#cmd-set_message #message_fr")
            field.evaluate("e => e.removeAttribute('maxlength')")  # as a crafted post would
            field.fill("x" * 161)
            page.locator("form#cmd-set_message button").click()
            expect(page.locator("#command-error")).to_contain_text("160 caractères au plus")
            assert page.locator(".cmd-status").count() == sent_before

            # The form is tied to the session: a post without its token is refused.
            forged = page.request.post(
                terminal_url + "/command",
                form={"name": "set_message", "csrf": "0" * 32, "message_fr": "piège"},
                max_redirects=0,
            )
            assert forged.status == 403

            audit = page.request.get(dashboard + "/api/audit").json()["items"]
            sent = [a for a in audit if a["action"] == "command"]
            assert sent[0]["detail"]["name"] == "set_message"
            assert sent[0]["detail"]["args"]["fr"] == "Bienvenue, bureau ouvert jusqu'à 16 h 30"
            assert sent[0]["actor"].startswith("Samira Operator")

            page.goto(terminal_url + "?lang=ar")
            expect(page.locator("form#cmd-set_message legend")).to_contain_text("رسالة اليوم")
            page.screenshot(path=str(SHOTS / "fleet-set-message-ar.png"), full_page=True)
        finally:
            browser.close()
