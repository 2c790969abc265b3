"""The HTTP backend adapter: what it sends, and how answers map to what the kiosk does."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import httpx
import pytest

from kiosk_terminal.core.model import (
    ActReference,
    DocumentKind,
    Lang,
    NameQuery,
    Parents,
    Relation,
    RequestState,
    Submission,
)
from kiosk_terminal.services.backend_http import HttpBackend, NoBackend
from kiosk_terminal.services.ports import BackendRejected, BackendUnavailable, NotFound
from protocol.codes import RequestCode

CODE = RequestCode("MK01", 2026, 12)
SUBMISSION = Submission(
    idempotency_key="k" * 32,
    terminal_id="kiosk-mk01-01",
    office="MK01",
    act_reference="MK01-1990-N-000123",
    event_date=date(1990, 5, 14),
    requester_name="Mohamed El Alaoui",
    document=DocumentKind.FULL_COPY,
    copies=2,
    relation=Relation.SELF,
    language=Lang.AR,
    created_at=datetime(2026, 11, 25, tzinfo=UTC),
    code=CODE,
    secret="7Q2FK8MA",
)


def _backend(handler: httpx.MockTransport) -> HttpBackend:
    client = httpx.Client(base_url="http://records", transport=handler)
    return HttpBackend("http://records", "sjt_token", client=client)


def _problem(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "status": status})


def test_submission_body_and_receipt() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": 1, "code": str(CODE), "secret": None})

    accepted = _backend(httpx.MockTransport(handle)).submit(SUBMISSION)
    assert (accepted.code, accepted.secret, accepted.pending) == (CODE, "7Q2FK8MA", False)
    request = seen[0]
    assert request.headers["authorization"] == "Bearer sjt_token"
    body = json.loads(request.content)
    assert body == {
        "idempotency_key": "k" * 32, "act_reference": "MK01-1990-N-000123",
        "event_date": "1990-05-14", "document": "full_copy", "copies": 2,
        "pickup_office": "MK01", "requester_name": "Mohamed El Alaoui",
        "requester_relation": "self", "code": str(CODE), "secret": "7Q2FK8MA",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (_problem(500, "internal"), BackendUnavailable),
        (_problem(401, "not_authenticated"), BackendUnavailable),
        (_problem(403, "forbidden_role"), BackendUnavailable),
        (_problem(429, "rate_limited"), BackendUnavailable),
        (_problem(403, "not_eligible"), BackendRejected),
        (_problem(409, "idempotency_conflict"), BackendRejected),
        (_problem(404, "not_found"), NotFound),
    ],
)
def test_answers_map_to_retry_or_refusal(response: httpx.Response, expected: type) -> None:
    backend = _backend(httpx.MockTransport(lambda _r: response))
    with pytest.raises(expected):
        backend.submit(SUBMISSION)


def test_no_answer_means_try_later() -> None:
    def refuse(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(BackendUnavailable):
        _backend(httpx.MockTransport(refuse)).reserve_codes("kiosk-mk01-01", 10)
    with pytest.raises(BackendUnavailable):
        NoBackend().submit(SUBMISSION)


def test_lookups_status_and_code_blocks() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/acts/search":
            assert request.url.params["father"] == "Hassan"
            return httpx.Response(200, json={"items": [{"reference": "MK03-1988-N-001203"}]})
        if request.url.path == "/api/v1/public/request-status":
            assert json.loads(request.content) == {"code": str(CODE), "secret": "7Q2FK8MA"}
            return httpx.Response(200, json={"state": "ready", "document": "extract",
                                              "copies": 1})  # fmt: skip
        return httpx.Response(201, json={"office": "MK01", "year": 2026, "first": 5, "last": 9})

    backend = _backend(httpx.MockTransport(handle))
    ref = ActReference("MK01", 1990, 123)
    assert [m.reference for m in backend.find_acts(ref)] == ["MK01-1990-N-000123"]
    query = NameQuery("Salma", "Bennani", date(1988, 7, 1), Parents("Hassan", "Zineb"))
    assert [m.reference for m in backend.find_acts(query)] == ["MK03-1988-N-001203"]
    status = backend.status(CODE, "7Q2FK8MA")
    assert status.state is RequestState.READY
    assert status.document is DocumentKind.EXTRACT
    with pytest.raises(NotFound):
        backend.status(CODE, None)  # the registry answers only the receipt's holder
    block = backend.reserve_codes("kiosk-mk01-01", 5)
    assert (block.first, block.last, len(block)) == (5, 9, 5)
