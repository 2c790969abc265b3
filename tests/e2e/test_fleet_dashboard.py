"""The fleet dashboard in a real browser (Debian's chromium) with simulated terminals."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pyotp
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect, sync_playwright

from central_broker.runner import RunningBroker
from fleet_manager.app import create_app
from fleet_manager.settings import FleetSettings
from fleet_manager.simulator import FaultPlan, Simulator
from records_backend.app import create_app as create_records_app
from records_backend.domain.roles import Role
from records_backend.security import totp
from records_backend.services import accounts
from records_backend.services.principal import Principal
from records_backend.settings import RecordsSettings
from sijill.ports import free_port
from tests.integration.records_backend.records_helpers import PASSWORD, enrol_totp
from tests.serving import serving

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


def test_sign_in_with_records_accounts_and_totp(tmp_path: Path) -> None:
    """A central administrator signs in to the dashboard with their TOTP code; without it,
    with a wrong one or before enrolling, the page says why in the operator's language; a
    fleet operator (no TOTP) signs in with the password alone."""
    records = create_records_app(
        RecordsSettings(
            data_dir=tmp_path / "records",
            database_url=f"sqlite:///{tmp_path / 'records.db'}",
            argon2_time_cost=1,
            argon2_memory_kib=64,
        )
    )
    with serving(records, free_port()) as records_url:
        # Accounts once the backend has migrated its database on start.
        state = records.state.records
        with state.sessions.begin() as session:
            for username, role in (
                ("admin.central", Role.CENTRAL_ADMIN),
                ("admin.new", Role.CENTRAL_ADMIN),
                ("fleet.op", Role.FLEET_OPERATOR),
            ):
                accounts.create_user(
                    session,
                    state.passwords,
                    Principal.system(),
                    username=username,
                    full_name=username.replace(".", " ").title(),
                    password=PASSWORD,
                    roles=[role],
                    office_codes=[],
                    all_offices=True,
                )
        secret, last_step = enrol_totp(state, "admin.central")  # as the staff pages would
        SHOTS.mkdir(parents=True, exist_ok=True)
        fleet = create_app(
            FleetSettings(
                data_dir=tmp_path / "fleet", ingest_enabled=False, records_url=records_url
            )
        )
        with (
            serving(fleet, free_port()) as base,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1100, "height": 800})

                def sign_in(username: str, code: str | None, lang: str = "fr") -> None:
                    page.goto(f"{base}/login?lang={lang}")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", PASSWORD)
                    if code is not None:
                        page.fill("input[name=totp_code]", code)
                    page.locator("form.login").first.locator("button").click()

                page.goto(base + "/login?lang=fr")
                field = page.locator("#totp_code")
                assert field.get_attribute("autocomplete") == "one-time-code"
                assert field.get_attribute("inputmode") == "numeric"
                expect(page.locator("label", has=field)).to_contain_text(
                    "Code de vérification (TOTP)"
                )

                # No code: the records backend asks for one.
                sign_in("admin.central", None)
                expect(page.locator("#login-error")).to_have_attribute(
                    "data-reason", "totp_required"
                )
                expect(page.locator("#login-error")).to_contain_text(
                    "exige le code de vérification (TOTP)"
                )
                expect(page.locator("#totp_code")).to_be_focused()
                page.screenshot(path=str(SHOTS / "fleet-login-totp-required-fr.png"))

                # A wrong code, said in Arabic to an operator reading Arabic.
                now_step = int(time.time() // totp.STEP_S)
                step = max(now_step, last_step + 1)
                right = pyotp.TOTP(secret).at(step * totp.STEP_S)
                wrong = f"{(int(right) + 1) % 1_000_000:06d}"
                sign_in("admin.central", wrong, lang="ar")
                assert page.get_attribute("html", "dir") == "rtl"
                expect(page.locator("label", has=page.locator("#totp_code"))).to_contain_text(
                    "رمز التحقق (TOTP)"
                )
                expect(page.locator("#login-error")).to_have_text(
                    "رمز التحقق غير صحيح أو سبق استعماله: أدخل الرمز المعروض الآن."
                )
                page.screenshot(path=str(SHOTS / "fleet-login-totp-invalid-ar.png"))

                # Not enrolled yet: sent to the staff pages first.
                sign_in("admin.new", "123456")
                expect(page.locator("#login-error")).to_have_attribute(
                    "data-reason", "totp_not_enrolled"
                )
                expect(page.locator("#login-error")).to_contain_text("pages du personnel")

                # The right code (spaces as some apps show it) opens the dashboard.
                sign_in("admin.central", f"{right[:3]} {right[3:]}")
                expect(page).to_have_url(base + "/")
                expect(page.locator(".who")).to_have_text("Admin Central")
                page.goto(base + "/logout")

                # A fleet operator has no TOTP: the password is enough, as before.
                sign_in("fleet.op", None)
                expect(page).to_have_url(base + "/")
                expect(page.locator(".who")).to_have_text("Fleet Op")
            finally:
                browser.close()
