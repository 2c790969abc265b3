"""``/metrics``: served to configured networks (loopback by default) or with the scrape token,
refused (403 problem) to everyone else, also through a reverse proxy that is not trusted.

Client addresses other than loopback are only labels here (TestClient's peer, a header): no
traffic goes anywhere but this process, and the one real server listens on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from records_backend.app import create_app
from records_backend.settings import RecordsSettings
from tests.integration.records_backend.records_helpers import records_server

pytestmark = pytest.mark.integration

TOKEN = "scrape-" + "x" * 40  # a test value, made up here
OUTSIDE = "192.0.2.10"  # documentation range: a peer that is not on the allowed networks
PROXY = "198.51.100.7"


@pytest.fixture
def app(settings: RecordsSettings) -> Iterator[TestClient]:
    """The app with a scrape token and one trusted proxy; the default networks."""
    configured = RecordsSettings(
        **{**settings.model_dump(), "metrics_token": TOKEN, "trusted_proxies": [PROXY]}
    )
    with TestClient(create_app(configured), raise_server_exceptions=False) as c:
        yield c


def _scrape(app: TestClient, peer: str, headers: dict[str, str] | None = None) -> httpx.Response:
    # Not entered as a context manager: no second start-up of the same app.
    r: httpx.Response = TestClient(app.app, client=(peer, 40000)).get("/metrics", headers=headers)
    return r


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_scrapers_are_served(app: TestClient, peer: str) -> None:
    r = _scrape(app, peer)
    assert r.status_code == 200
    assert "sijill_records_http_seconds" in r.text


def test_others_are_refused_with_a_problem_in_both_languages(app: TestClient) -> None:
    for path in ("/metrics", "/metrics/"):
        r = TestClient(app.app, client=(OUTSIDE, 40000)).get(path, follow_redirects=False)
        assert r.status_code == 403, path
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["code"] == "metrics_forbidden"
        assert body["messages"]["fr"].startswith("Accès aux métriques refusé")
        assert "sijill_records" not in r.text
    # The rest of the service is unaffected.
    assert TestClient(app.app, client=(OUTSIDE, 40000)).get("/healthz").status_code == 200


def test_the_scrape_token_opens_them_from_anywhere(app: TestClient) -> None:
    assert _scrape(app, OUTSIDE, {"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert _scrape(app, OUTSIDE, {"Authorization": f"bearer {TOKEN}"}).status_code == 200
    for wrong in (f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN):
        assert _scrape(app, OUTSIDE, {"Authorization": wrong}).status_code == 403, wrong


def test_no_token_configured_means_no_token_accepted(client: TestClient) -> None:
    r = TestClient(client.app, client=(OUTSIDE, 40000)).get(
        "/metrics", headers={"Authorization": "Bearer anything-at-all"}
    )
    assert r.status_code == 403


def test_forwarded_requests_count_only_through_a_trusted_proxy(app: TestClient) -> None:
    # A proxy on loopback that nobody declared: the real client is unknown, so no.
    assert _scrape(app, "127.0.0.1", {"X-Forwarded-For": OUTSIDE}).status_code == 403
    assert _scrape(app, "127.0.0.1", {"Forwarded": f"for={OUTSIDE}"}).status_code == 403
    # The trusted proxy: the address it appended decides (left entries can be forged).
    assert _scrape(app, PROXY, {"X-Forwarded-For": "127.0.0.1"}).status_code == 200
    assert _scrape(app, PROXY, {"X-Forwarded-For": f"127.0.0.1, {OUTSIDE}"}).status_code == 403
    assert _scrape(app, PROXY, {"X-Forwarded-For": "not-an-address"}).status_code == 403
    # The token works through any proxy.
    headers = {"X-Forwarded-For": OUTSIDE, "Authorization": f"Bearer {TOKEN}"}
    assert _scrape(app, "127.0.0.1", headers).status_code == 200


def test_settings_refuse_bad_networks_and_short_tokens(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="metrics_networks"):
        RecordsSettings(data_dir=tmp_path, metrics_networks=["127.0.0.0/8", "loopback"])
    with pytest.raises(ValidationError, match="32 characters"):
        RecordsSettings(data_dir=tmp_path, metrics_token="short")
    defaults = RecordsSettings(data_dir=tmp_path)
    assert defaults.metrics_networks == ["127.0.0.0/8", "::1/128"]
    assert defaults.metrics_token is None


def test_real_server_with_no_network_allowed_needs_the_token(db_url: str, tmp_path: Path) -> None:
    """Over a real socket, settings from the environment: networks emptied, token set."""
    settings = {"SIJILL_RECORDS_METRICS_NETWORKS": "[]", "SIJILL_RECORDS_METRICS_TOKEN": TOKEN}
    with records_server(db_url, tmp_path, **settings) as base:
        assert httpx.get(f"{base}/metrics").status_code == 403
        authorized = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert authorized.status_code == 200
        assert "sijill_records_http_requests_total" in authorized.text
