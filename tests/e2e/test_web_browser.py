"""Staff pages and portal in Debian's chromium: counter, keying, accounts, portal, statistics.

Every flow runs against a real server on SQLite and on PostgreSQL (one server per engine for
the module; pytest runs all the tests of one engine before starting the other's server).
Screenshots (Arabic and French) go to var/screenshots/web/ (``pg-`` prefix on PostgreSQL);
those the staff guides show are written beside the guides (records_backend/web/static/guides/)
so the guides never go stale.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from records_backend.app import create_app
from records_backend.settings import RecordsSettings
from records_backend.web import demo
from sijill.ports import free_port
from tests.pg_databases import throwaway_database
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
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = Path("var/screenshots/web")
GUIDE_SHOTS = Path(__file__).parents[2] / "records_backend" / "web" / "static" / "guides"
ENGINES = ("sqlite", "postgresql")


@dataclass
class Server:
    engine: str
    url: str
    requests: list[demo.DemoRequest]
    #: TOTP secrets of the accounts enrolled on this server, by username.
    totp: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """Screenshot name prefix, so both engines' pictures are kept."""
        return "" if self.engine == "sqlite" else "pg-"


def _serve(engine: str, data_dir: Path, db_url: str) -> Iterator[Server]:
    settings = RecordsSettings(
        data_dir=data_dir, database_url=db_url, argon2_time_cost=1, argon2_memory_kib=64
    )
    app = create_app(settings)
    with serving(app, free_port()) as url:
        yield Server(engine, url, demo.seed(app.state.records))


@pytest.fixture(scope="module", params=ENGINES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A running backend with the demo data, shared by the module's tests on one engine."""
    engine = str(request.param)
    base = tmp_path_factory.mktemp(f"web-e2e-{engine}")
    if engine == "sqlite":
        yield from _serve(engine, base / "data", f"sqlite:///{base / 'records.db'}")
        return
    admin_url: str = request.getfixturevalue("postgres_admin_url")
    with throwaway_database(admin_url, "sijill_web") as url:
        yield from _serve(engine, base / "data", url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp only so the test can inject axe-core; the pages' own CSP is checked apart.
    context = browser.new_context(viewport={"width": 1280, "height": 860}, bypass_csp=True)
    p = context.new_page()
    yield p
    context.close()


def login(page: Page, server: Server, username: str, lang: str = "fr") -> None:
    base = server.url
    page.goto(f"{base}/staff/login?lang={lang}")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    if "/staff/totp" in page.url:
        key = page.locator("#totp-key")
        if key.count():
            server.totp[username] = key.inner_text().strip()
            code = pyotp.TOTP(server.totp[username]).now()
        else:
            code = pyotp.TOTP(server.totp[username]).at(time.time() + 30)
        page.fill("#code", code)
        page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/staff")


def shoot(page: Page, server: Server, name: str, guide: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{server.prefix}{name}.png"), full_page=True)
    if guide:
        GUIDE_SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(GUIDE_SHOTS / f"{name}.png"))


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: "
        "['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result
    ]


def register_page_scan(path: Path) -> Path:
    """A stand-in for a scanned register page: ruled paper with an act's text."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (900, 1200), (246, 240, 222))
    draw = ImageDraw.Draw(image)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 30)
    except OSError:
        font = ImageFont.load_default()
    for y in range(160, 1160, 48):
        draw.line([(40, y), (860, y)], fill=(180, 170, 150), width=2)
    draw.text(
        (60, 60), "Registre des naissances 2023 - page 4 - acte 501", fill=(40, 30, 90), font=font
    )
    draw.text((60, 210), "Salma EL FASSI  F  04/05/2023  Meknes", fill=(40, 30, 90), font=font)
    image.save(path)
    return path


def type_like_azerty_scanner(page: Page, selector: str, text: str) -> None:
    """Key events as a US-layout scanner produces them on an AZERTY machine: the
    characters are wrong, the key positions are right."""
    azerty = {
        "1": "&",
        "2": "é",
        "3": '"',
        "4": "'",
        "5": "(",
        "6": "-",
        "7": "è",
        "8": "_",
        "9": "ç",
        "0": "à",
        "|": "*",
        "-": ")",
        "A": "q",
        "Q": "a",
        "W": "z",
        "Z": "w",
        "M": ",",
    }
    keys = []
    for ch in text:
        if ch.isdigit():
            code = f"Digit{ch}"
        elif ch == "|":
            code = "Backslash"
        elif ch == "-":
            code = "Minus"
        else:
            code = f"Key{ch.upper()}"
        keys.append({"key": azerty.get(ch, ch.lower()), "code": code})
    page.focus(selector)
    page.evaluate(
        """([sel, keys]) => { const el = document.querySelector(sel);
             for (const k of keys) { el.dispatchEvent(new KeyboardEvent('keydown',
               {key: k.key, code: k.code, bubbles: true, cancelable: true})); } }""",
        [selector, keys],
    )


def test_counter_scan_print_collect(page: Page, server: Server) -> None:
    # French on SQLite, Arabic on PostgreSQL: the clerk's guide shows both languages.
    lang = "fr" if server.engine == "sqlite" else "ar"
    login(page, server, "clerk.mk01", lang)
    page.goto(f"{server.url}/staff/counter")
    shoot(page, server, f"counter-{lang}", guide=True)
    first = server.requests[0]
    type_like_azerty_scanner(page, "#scan", f"SJ1|{first.code}|{first.secret}")
    assert page.input_value("#scan") == f"SJ1|{first.code}|{first.secret}"
    page.press("#scan", "Enter")
    expect(page).to_have_url(f"{server.url}/staff/counter/requests/{first.request_id}")
    page.click("#print")
    expect(page.locator("#download")).to_be_visible()
    with page.expect_download() as download:
        page.evaluate("document.querySelector('#download').setAttribute('download', '')")
        page.click("#download")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    page.click("#ready")
    page.fill("#id_number", "AB123456")
    page.check("#id_checked")
    shoot(page, server, f"collect-{lang}", guide=True)
    page.click("#collect")
    expect(page.locator("#state")).to_have_text("Remise" if lang == "fr" else "مسلم")
    page.goto(f"{server.url}/staff/counter/cash")
    expect(page.locator("#cash-total")).to_have_text("2")
    page.goto(f"{server.url}/staff/counter?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    shoot(page, server, "counter-queue-ar", guide=False)
    # A code whose check character was mistyped: a clear message, in Arabic.
    page.fill("#scan", server.requests[1].code[:-1] + "0")
    page.press("#scan", "Enter")
    expect(page.locator(".flash.err")).to_contain_text("رمز الطلب غير صحيح")
    assert axe_violations(page) == []
    # The keyboard alone: a person types the code and the secret, then reaches "print".
    second = server.requests[1]
    assert page.evaluate("document.activeElement.id") == "scan"
    page.keyboard.type(second.code, delay=60)
    page.keyboard.press("Tab")
    page.keyboard.type(second.secret, delay=60)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/staff/counter/requests/{second.request_id}")
    for _ in range(40):
        if page.evaluate("document.activeElement && document.activeElement.id") == "print":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#download")).to_be_visible()


def test_officer_double_keying(page: Page, server: Server, tmp_path: Path) -> None:
    base = server.url
    login(page, server, "officer.mk01", "ar")
    page.goto(f"{base}/staff/office/acts/new")
    values = {
        "#f-number": "501",
        "#f-source_page": "4",
        "#f-given_name_ar": "سلمى",
        "#f-family_name_ar": "الفاسي",
        "#f-given_name_lat": "Salma",
        "#f-family_name_lat": "El Fassi",
        "#f-event_date": "2023-05-04",
        "#f-event_place": "مكناس",
        "#f-officer_name": "ضابط الحالة المدنية",
        "#f-drawn_up_date": "2023-05-06",
    }
    for sel, v in values.items():
        page.fill(sel, v)
    page.select_option("#f-sex", "F")
    page.set_input_files("#scan-file", str(register_page_scan(tmp_path / "page4.png")))
    expect(page.locator("#scan-preview")).to_be_visible()
    shoot(page, server, "digitize-ar", guide=True)
    assert axe_violations(page) == []
    page.click("#save-act")
    expect(page.locator(".flash.ok")).to_be_visible()
    page.context.clear_cookies()
    login(page, server, "officer2.mk01", "fr")
    page.goto(f"{base}/staff/office")
    page.locator("a[href$='/key']").first.click()
    for sel, v in values.items():
        page.fill(sel, v)
    page.select_option("#f-sex", "F")
    expect(page.locator(".scan img")).to_be_visible()
    assert page.evaluate("document.querySelector('.scan img').naturalWidth") == 900
    shoot(page, server, "second-keying-fr", guide=True)
    page.click("#save-key")
    expect(page.locator("#act-status")).to_have_text("Enregistré")


def test_account_created_and_locked(page: Page, server: Server) -> None:
    base = server.url
    login(page, server, "admin", "fr")
    page.goto(f"{base}/staff/admin/users")
    page.fill("#nu-username", "agent.mk05")
    page.fill("#nu-full", "Agent Cinq")
    page.check("#role-clerk")
    page.check("#off-MK05")
    page.click("#create-user")
    expect(page.locator("#temp-password")).to_be_visible()
    row = page.locator("#user-agent\\.mk05")
    row.locator("button.danger").click()
    expect(page.locator("#user-agent\\.mk05 .status")).to_have_text("Verrouillé")
    shoot(page, server, "accounts-fr", guide=True)
    assert axe_violations(page) == []
    page.goto(f"{base}/staff/admin/users?lang=ar")
    shoot(page, server, "accounts-ar", guide=True)
    page.goto(f"{base}/staff/help/admin?lang=fr")
    expect(page.locator("article.guide img").first).to_be_visible()
    shoot(page, server, "help-admin-fr")


def test_portal_request(page: Page, server: Server) -> None:
    base = server.url
    page.goto(f"{base}/portal?lang=ar")
    page.select_option("#document", "extract")
    page.fill("#reference", "MK01-1990-N-001287")
    page.fill("#event_date", "1990-03-25")
    page.fill("#requester", "فاطمة الزهراء بنجلون")
    page.select_option("#pickup", "MK01")
    shoot(page, server, "portal-ar")
    assert axe_violations(page) == []
    page.click("#send")
    code = page.locator("#req-code").inner_text()
    secret = page.locator("#req-secret").inner_text()
    shoot(page, server, "portal-done-ar")
    page.goto(f"{base}/portal/status?lang=fr")
    page.fill("#code", code)
    page.fill("#secret", secret)
    page.click("main button[type=submit]")
    expect(page.locator("#req-state")).to_have_text("Approuvée")
    shoot(page, server, "portal-status-fr")


def test_statistics_page(page: Page, server: Server) -> None:
    base = server.url
    login(page, server, "stats", "fr")
    page.goto(f"{base}/staff/stats?since=1980-01-01&until=2030-12-31")
    expect(page.locator("svg.chart").first).to_be_visible()
    shoot(page, server, "stats-fr")
    assert axe_violations(page) == []
    page.goto(f"{base}/staff/stats?since=1980-01-01&until=2030-12-31&lang=ar")
    shoot(page, server, "stats-ar")
    # The checker does see problems: an image without a text alternative is reported.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}


def test_wrong_totp_codes_lock_the_account(page: Page, server: Server) -> None:
    """Five wrong codes (the default lock-out) end the half-done sign-in and lock the account,
    as five wrong passwords would; a right password between them does not wipe the count."""
    base = server.url
    page.goto(f"{base}/staff/login?lang=fr")
    page.fill("#username", "officer2.mk01")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/staff/totp")
    for _ in range(2):
        page.fill("#code", "000000")
        page.click("main button[type=submit]")
        expect(page.locator(".flash.err")).to_be_visible()
    shoot(page, server, "totp-wrong-fr")
    assert axe_violations(page) == []
    page.goto(f"{base}/staff/totp?lang=ar")
    for _ in range(2):
        page.fill("#code", "000000")
        page.click("main button[type=submit]")
        expect(page.locator(".flash.err")).to_be_visible()
    shoot(page, server, "totp-wrong-ar")
    page.fill("#code", "000000")
    page.click("main button[type=submit]")
    expect(page.locator(".flash.err")).to_contain_text("الحساب مقفل")
    assert page.locator("#username").input_value() == "officer2.mk01"
    shoot(page, server, "login-locked-ar")
    page.goto(f"{base}/staff/login?lang=fr")
    page.fill("#username", "officer2.mk01")
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".flash.err")).to_contain_text("Compte verrouillé")
    shoot(page, server, "login-locked-fr")
    assert axe_violations(page) == []
