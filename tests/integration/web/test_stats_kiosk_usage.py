"""Kiosk usage on the statistics page: a real fleet manager on a port, fed by a kiosk agent
through the real Mosquitto, asked over HTTP with the statistician's own token."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from central_broker.runner import RunningBroker
from fleet_manager.app import create_app as create_fleet_app
from fleet_manager.models import UsageDay
from fleet_manager.service import FleetService
from kiosk_terminal.agent import TerminalAgent
from protocol.health import DeviceKind
from protocol.messages import EventKind
from records_backend.app import create_app
from records_backend.domain.roles import Role
from records_backend.services import accounts
from records_backend.services.principal import Principal
from records_backend.settings import RecordsSettings
from records_backend.web import demo
from records_backend.web.security import SESSION_COOKIE
from records_backend.web.services.counter import local_today
from sijill.ports import free_port
from tests.integration.fleet_manager.fleet_helpers import fleet_settings, start_terminal, wait_until
from tests.integration.web.web_pages import Pages
from tests.serving import serving


def fleet_on_port(service: FleetService, port: int) -> AbstractContextManager[str]:
    return serving(create_fleet_app(service=service), port)


@contextmanager
def records_pages(tmp_path: Path, fleet_url: str | None) -> Iterator[Pages]:
    settings = RecordsSettings(
        data_dir=tmp_path / "records",
        database_url=f"sqlite:///{tmp_path / 'records.db'}",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        fleet_url=fleet_url,
    )
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as client:
        state = app.state.records
        demo.seed(state)
        with state.sessions.begin() as session:
            accounts.create_user(
                session,
                state.passwords,
                Principal.system(),
                username="stats.mk01",
                full_name="Hind Amrani",
                password=demo.DEMO_PASSWORD,
                roles=[Role.STATISTICIAN],
                office_codes=["MK01"],
                all_offices=False,
            )
        (tmp_path / "records.pub.pem").write_text(state.tokens.key.public_pem())
        yield Pages(client)


@dataclass
class Setup:
    pages: Pages
    fleet: FleetService
    fleet_url: str


@pytest.fixture
def kiosk_usage(mosquitto: RunningBroker, topic_root: str, tmp_path: Path) -> Iterator[Setup]:
    port = free_port()
    fleet_url = f"http://127.0.0.1:{port}"
    with records_pages(tmp_path, fleet_url) as pages:
        settings = fleet_settings(
            mosquitto,
            topic_root,
            tmp_path / "fleet",
            auth_public_key_path=tmp_path / "records.pub.pem",
        )
        (tmp_path / "fleet").mkdir()
        service = FleetService.build(settings)
        with fleet_on_port(service, port):
            assert service.runtime.wait_connected(10)
            agents: list[TerminalAgent] = [
                start_terminal(mosquitto, topic_root, "kiosk-mk01-a", "MK01"),
                start_terminal(mosquitto, topic_root, "kiosk-mk02-a", "MK02"),
            ]
            try:
                mk01, mk02 = agents
                for _ in range(7):
                    mk01.publish_event(EventKind.REQUEST_SUBMITTED, data={"document": "extract"})
                for _ in range(3):
                    mk01.publish_event(EventKind.RECEIPT_PRINTED, data={"ticket": False})
                mk01.publish_event(EventKind.PAPER_OUT, DeviceKind.PRINTER)
                mk01.publish_event(EventKind.CARD_INSERTED)  # not a usage figure
                for _ in range(2):
                    mk02.publish_event(EventKind.REQUEST_SUBMITTED, data={"document": "extract"})

                def counted() -> int:
                    with service.sessions() as session:
                        total = session.scalar(select(func.sum(UsageDay.requests)))
                        return int(total or 0)

                wait_until(lambda: counted() == 9)
                time.sleep(1.0)  # some online time for the availability
                yield Setup(pages, service, fleet_url)
            finally:
                for agent in agents:
                    agent.stop()


def _period() -> str:
    today = local_today()
    return f"since={(today - timedelta(days=1)).isoformat()}&until={today.isoformat()}"


def _row(html: str, office: str) -> list[str]:
    match = re.search(rf'<tr data-office="{office}">(.*?)</tr>', html, re.S)
    assert match, f"no kiosk usage row for {office}"
    return re.findall(r'<td class="num"[^>]*>([^<]*)</td>', match.group(1))


def test_stats_page_shows_kiosk_usage_from_the_fleet_manager(kiosk_usage: Setup) -> None:
    p = kiosk_usage.pages
    p.login("stats")
    r = p.client.get(f"/staff/stats?{_period()}&lang=fr")
    assert r.status_code == 200
    assert "kiosk-unavailable" not in r.text
    requests, receipts, faults, availability = _row(r.text, "MK01")
    assert (requests, receipts, faults) == ("7", "3", "1")
    assert availability.endswith("%")
    assert float(availability.split()[0]) > 0
    assert _row(r.text, "MK02")[:3] == ["2", "0", "0"]
    assert r.text.count('class="chart"') >= 4  # births, deaths, kiosk use, availability
    assert "Utilisation des bornes" in r.text

    only = p.client.get(f"/staff/stats?{_period()}&office=MK02")
    assert 'data-office="MK02"' in only.text
    assert 'data-office="MK01"' not in only.text

    today = local_today().isoformat()
    csv = p.client.get(f"/staff/stats.csv?{_period()}").text
    assert f"kiosk_usage,MK01,{today},requests,,7" in csv
    assert f"kiosk_usage,MK01,{today},receipts,,<5" in csv  # small counts hidden
    assert f"kiosk_usage,MK02,{today},requests,,<5" in csv
    assert re.search(rf"kiosk_availability,MK01,{today},,,\d+\.\d", csv)


def test_an_office_scoped_statistician_sees_only_their_office(kiosk_usage: Setup) -> None:
    p = kiosk_usage.pages
    p.login("stats.mk01")
    own = p.client.get(f"/staff/stats?{_period()}")
    assert _row(own.text, "MK01")[:3] == ["7", "3", "1"]
    assert 'data-office="MK02"' not in own.text

    other = p.client.get(f"/staff/stats?{_period()}&office=MK02&lang=ar")
    assert other.status_code == 200
    assert 'id="kiosk-unavailable"' in other.text
    assert "رفض مدير الأسطول" in other.text
    assert 'data-office="MK02"' not in other.text

    # The fleet manager itself refuses the token for another office, and for the dashboard.
    token = p.client.cookies.get(SESSION_COOKIE)
    assert token
    bearer = {"Authorization": f"Bearer {token}"}
    today = local_today().isoformat()
    url = kiosk_usage.fleet_url + f"/api/v1/usage?since={today}&until={today}"
    assert httpx.get(url + "&office=MK02", headers=bearer).status_code == 403
    assert httpx.get(url + "&office=MK01", headers=bearer).status_code == 200
    assert httpx.get(kiosk_usage.fleet_url + "/api/terminals", headers=bearer).status_code == 401


def test_a_clerk_token_is_refused_by_the_usage_endpoint(kiosk_usage: Setup) -> None:
    p = kiosk_usage.pages
    p.login("clerk.mk01")
    token = p.client.cookies.get(SESSION_COOKIE)
    today = local_today().isoformat()
    r = httpx.get(
        kiosk_usage.fleet_url + f"/api/v1/usage?since={today}&until={today}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 401


def test_the_page_works_when_the_fleet_manager_is_unreachable(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    with records_pages(tmp_path, f"http://127.0.0.1:{closed}") as p:
        p.login("stats")
        r = p.client.get(f"/staff/stats?{_period()}&lang=fr")
        assert r.status_code == 200
        assert "le gestionnaire de parc ne répond pas" in r.text
        assert 'id="fees"' in r.text
        assert "Naissances par mois" in r.text
        ar = p.client.get(f"/staff/stats?{_period()}&lang=ar")
        assert "تعذر الاتصال بمدير الأسطول" in ar.text
        csv = p.client.get(f"/staff/stats.csv?{_period()}").text
        assert "kiosk_usage,unavailable,unreachable" in csv
        assert csv.startswith("table,key1")


def test_the_page_says_when_no_fleet_manager_is_configured(tmp_path: Path) -> None:
    with records_pages(tmp_path, None) as p:
        p.login("stats")
        r = p.client.get(f"/staff/stats?{_period()}&lang=fr")
        assert r.status_code == 200
        assert "n&#39;est pas configurée" in r.text
