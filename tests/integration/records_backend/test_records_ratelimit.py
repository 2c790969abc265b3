"""The public request-status look-up is limited per client address, behind a trusted proxy
by its forwarded header only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from records_backend.app import create_app
from records_backend.settings import RecordsSettings

pytestmark = pytest.mark.integration

BODY = {"code": "MK01-2026-000001-0", "secret": "AAAAAAAA"}


def _ask(client: TestClient, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = client.post("/api/v1/public/request-status", json=BODY, headers=headers)
    return int(response.status_code)


def test_limit_per_forwarded_address_behind_a_trusted_proxy(settings: RecordsSettings) -> None:
    # TestClient's peer address is "testclient": here it plays the reverse proxy.
    tuned = settings.model_copy(
        update={"public_rate_per_minute": 3, "trusted_proxies": ["testclient"]}
    )
    with TestClient(create_app(tuned), raise_server_exceptions=False) as client:
        assert [_ask(client, "41.250.1.2") for _ in range(3)] != [429] * 3
        refused = client.post(
            "/api/v1/public/request-status", json=BODY, headers={"X-Forwarded-For": "41.250.1.2"}
        )
        assert refused.status_code == 429
        problem = refused.json()
        assert problem["code"] == "rate_limited"
        assert "دقيقة" in problem["messages"]["ar"]
        assert "minute" in problem["messages"]["fr"]
        # Another citizen behind the same proxy is not affected; a forged left-most entry
        # does not let the first one through.
        assert _ask(client, "41.250.9.9") != 429
        assert _ask(client, "1.1.1.1, 41.250.1.2") == 429


def test_forwarded_header_from_an_untrusted_peer_is_ignored(settings: RecordsSettings) -> None:
    tuned = settings.model_copy(update={"public_rate_per_minute": 2, "trusted_proxies": []})
    with TestClient(create_app(tuned), raise_server_exceptions=False) as client:
        assert _ask(client, "10.0.0.1") != 429
        assert _ask(client, "10.0.0.2") != 429
        assert _ask(client, "10.0.0.3") == 429
