"""Document requests: idempotency, codes and receipts, eligibility, every transition."""

from __future__ import annotations

import itertools
import json
import queue
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import paho.mqtt.client as mqtt
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion

from central_broker.runner import RunningBroker
from protocol.codes import RequestCode, new_receipt_secret
from protocol.qr import ReceiptQr
from records_backend.app import create_app
from records_backend.audit.log import verify
from records_backend.domain.requests import TRANSITIONS, RequestState
from records_backend.domain.roles import Role
from records_backend.services.accounts import terminal_principal
from records_backend.services.requests import SubmissionIn, expire_overdue
from records_backend.services.requests import submit as submit_request
from records_backend.settings import RecordsSettings
from tests.integration.records_backend.records_helpers import Headers, Json, Staff, app_state, birth

pytestmark = pytest.mark.integration
_keys = itertools.count(1)


@pytest.fixture
def setup(client: TestClient, staff: Staff, registered_act: Callable[..., Json]) -> Json:
    act = registered_act()
    tech = staff.make("tech", [Role.TECHNICIAN], ["MK01"])
    r = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk01-01", "office": "MK01"}
    )
    kiosk = {"Authorization": f"Bearer {r.json()['token']}"}
    return {
        "act": act,
        "kiosk": kiosk,
        "clerk": staff.make("clerk", [Role.CLERK], ["MK01"]),
        "officer": staff.login("keyer.one"),
        "clerk_mk02": staff.make("clerk2", [Role.CLERK], ["MK02"]),
    }


def _submission(act: Json, **overrides: object) -> Json:
    body: Json = {
        "idempotency_key": f"kiosk-kiosk-mk01-01-{next(_keys):06d}",
        "act_reference": act["reference"],
        "event_date": act["fields"]["event_date"],
        "document": "full_copy",
        "copies": 2,
        "pickup_office": "MK01",
        "requester_name": "Mohamed El Alaoui",
        "requester_relation": "self",
    }
    body.update(overrides)
    return body


def test_repeated_submission_returns_the_first_result(client: TestClient, setup: Json) -> None:
    body = _submission(setup["act"])
    first = client.post("/api/v1/requests", headers=setup["kiosk"], json=body)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["fee_due_dirhams"] == 4  # 2 dirhams stamp duty per copy
    assert receipt["state"] == "submitted"  # a full copy waits for an officer
    code = RequestCode.parse(receipt["code"])
    assert code.office == "MK01"
    again = client.post("/api/v1/requests", headers=setup["kiosk"], json=body)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == receipt
    listed = client.get(
        "/api/v1/requests", params={"office": "MK01"}, headers=setup["clerk"]
    ).json()
    assert len(listed) == 1
    other = client.post("/api/v1/requests", headers=setup["kiosk"], json={**body, "copies": 3})
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_conflict")
    # The same key from another terminal never hands out the first receipt.
    tech = Staff(client).login("tech")
    token = client.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": "kiosk-mk01-02", "office": "MK01"}
    ).json()["token"]
    stranger = client.post(
        "/api/v1/requests", headers={"Authorization": f"Bearer {token}"}, json=body
    )
    assert (stranger.status_code, stranger.json()["code"]) == (409, "idempotency_conflict")


def test_a_wrong_date_reveals_nothing(client: TestClient, setup: Json) -> None:
    r = client.post(
        "/api/v1/requests",
        headers=setup["kiosk"],
        json=_submission(setup["act"], event_date="1990-05-13"),
    )
    unknown = client.post(
        "/api/v1/requests",
        headers=setup["kiosk"],
        json=_submission(setup["act"], act_reference="MK01-1990-N-009999"),
    )
    assert r.status_code == unknown.status_code == 404
    assert r.json()["code"] == unknown.json()["code"] == "not_found"


def test_eligibility_rules_decide(client: TestClient, setup: Json) -> None:
    r = client.post(
        "/api/v1/requests",
        headers=setup["kiosk"],
        json=_submission(setup["act"], requester_relation="other"),
    )
    assert (r.status_code, r.json()["code"]) == (403, "not_eligible")
    extract = client.post(
        "/api/v1/requests",
        headers=setup["kiosk"],
        json=_submission(setup["act"], requester_relation="other", document="extract"),
    )
    assert extract.status_code == 201
    assert extract.json()["state"] == "approved"  # extracts are approved by the rules


def test_full_lifecycle_and_illegal_transitions(client: TestClient, setup: Json) -> None:
    receipt = client.post(
        "/api/v1/requests", headers=setup["kiosk"], json=_submission(setup["act"])
    ).json()
    rid, clerk, officer = receipt["id"], setup["clerk"], setup["officer"]

    def move(to: str, headers: Headers, reason: str | None = None) -> httpx.Response:
        body = {"to": to} if reason is None else {"to": to, "reason": reason}
        r: httpx.Response = client.post(
            f"/api/v1/requests/{rid}/transitions", headers=headers, json=body
        )
        return r

    assert move("approved", clerk).json()["code"] == "forbidden_role"  # clerks do not decide
    assert move("printed", officer).json()["code"] == "illegal_transition"
    assert move("approved", officer).status_code == 200
    assert move("printed", clerk).status_code == 200
    assert move("ready", clerk).status_code == 200
    blocked = move("collected", clerk)
    assert blocked.json()["code"] == "fee_not_collected"
    assert client.post(f"/api/v1/requests/{rid}/fee", headers=clerk).json()["fee_collected"] is True
    done = move("collected", clerk)
    assert done.status_code == 200
    events = done.json()["events"]
    assert [(e["from_state"], e["to_state"]) for e in events] == [
        (None, "submitted"),
        ("submitted", "approved"),
        ("approved", "printed"),
        ("printed", "ready"),
        ("ready", "collected"),
    ]
    assert events[1]["actor"] == "user:keyer.one"
    assert events[4]["actor"] == "user:clerk"
    for state in RequestState:
        r = move(state.value, officer, reason="test reason")
        assert (r.status_code, r.json()["code"]) == (409, "illegal_transition"), state
        assert r.json()["messages"]["ar"]


def test_rejection_needs_a_reason(client: TestClient, setup: Json) -> None:
    rid = client.post(
        "/api/v1/requests", headers=setup["kiosk"], json=_submission(setup["act"])
    ).json()["id"]
    url = f"/api/v1/requests/{rid}/transitions"
    assert client.post(url, headers=setup["officer"], json={"to": "rejected"}).status_code == 422
    r = client.post(
        url, headers=setup["officer"], json={"to": "rejected", "reason": "lien non prouvé"}
    )
    assert r.json()["state"] == "rejected"
    assert r.json()["decision_reason"] == "lien non prouvé"


def test_another_office_cannot_read_or_move_requests(client: TestClient, setup: Json) -> None:
    rid = client.post(
        "/api/v1/requests", headers=setup["kiosk"], json=_submission(setup["act"])
    ).json()["id"]
    other = setup["clerk_mk02"]
    assert client.get(f"/api/v1/requests/{rid}", headers=other).json()["code"] == "forbidden_office"
    assert (
        client.get("/api/v1/requests", params={"office": "MK01"}, headers=other).json()["code"]
        == "forbidden_office"
    )
    r = client.post(f"/api/v1/requests/{rid}/transitions", headers=other, json={"to": "approved"})
    assert r.json()["code"] in {"forbidden_role", "forbidden_office"}
    assert (
        client.get(f"/api/v1/requests/{rid}", headers=setup["kiosk"]).json()["code"]
        == "forbidden_role"
    )


def test_receipt_lookup_needs_the_second_factor(client: TestClient, setup: Json) -> None:
    receipt = client.post(
        "/api/v1/requests", headers=setup["kiosk"], json=_submission(setup["act"])
    ).json()
    code, secret = receipt["code"], receipt["secret"]
    public = client.post("/api/v1/public/request-status", json={"code": code, "secret": secret})
    assert public.status_code == 200
    assert set(public.json()) == {
        "code",
        "state",
        "document",
        "copies",
        "pickup_office",
        "fee_due_dirhams",
        "updated_at",
    }
    wrong = client.post("/api/v1/public/request-status", json={"code": code, "secret": "AAAAAAAA"})
    assert (wrong.status_code, wrong.json()["code"]) == (404, "lookup_failed")
    qr = ReceiptQr(RequestCode.parse(code), secret).encode()
    staff_view = client.post("/api/v1/requests/lookup", headers=setup["clerk"], json={"qr": qr})
    assert staff_view.json()["requester_name"] == "Mohamed El Alaoui"
    # A typo in the code is caught by the check character, not matched to another request.
    typo = code[:-3] + ("1" if code[-3] != "1" else "2") + code[-2:]
    assert (
        client.post("/api/v1/public/request-status", json={"code": typo, "secret": secret}).json()[
            "code"
        ]
        == "lookup_failed"
    )


def test_terminal_codes_from_a_reserved_block(client: TestClient, setup: Json) -> None:
    kiosk = setup["kiosk"]
    block = client.post("/api/v1/codes/blocks", headers=kiosk, json={"size": 5})
    assert block.status_code == 201, block.text
    b = block.json()
    assert b["last"] - b["first"] == 4
    # A server-issued code after the reservation never falls inside the block.
    served = client.post("/api/v1/requests", headers=kiosk, json=_submission(setup["act"])).json()
    assert RequestCode.parse(served["code"]).sequence > b["last"]
    offline_code = str(RequestCode("MK01", b["year"], b["first"] + 2))
    secret = new_receipt_secret()
    body = _submission(setup["act"], code=offline_code, secret=secret)
    r = client.post("/api/v1/requests", headers=kiosk, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["code"] == offline_code
    assert r.json()["secret"] is None
    assert (
        client.post(
            "/api/v1/public/request-status", json={"code": offline_code, "secret": secret}
        ).status_code
        == 200
    )
    reused = client.post(
        "/api/v1/requests",
        headers=kiosk,
        json=_submission(setup["act"], code=offline_code, secret=secret),
    )
    assert reused.json()["code"] == "code_used"
    outside = str(RequestCode("MK01", b["year"], b["last"] + 50))
    r = client.post(
        "/api/v1/requests",
        headers=kiosk,
        json=_submission(setup["act"], code=outside, secret=secret),
    )
    assert r.json()["code"] == "code_not_reserved"
    staff_block = client.post("/api/v1/codes/blocks", headers=setup["clerk"], json={"size": 5})
    assert staff_block.json()["code"] == "forbidden_role"


def test_overdue_requests_expire(client: TestClient, setup: Json) -> None:
    rid = client.post(
        "/api/v1/requests", headers=setup["kiosk"], json=_submission(setup["act"])
    ).json()["id"]
    state = client.app.state.records  # type: ignore[attr-defined]
    with state.sessions.begin() as session:
        assert expire_overdue(session, datetime.now(UTC)) == 0
        assert expire_overdue(session, datetime.now(UTC) + timedelta(days=91)) == 1
    r = client.get(f"/api/v1/requests/{rid}", headers=setup["clerk"]).json()
    assert r["state"] == "expired"
    assert r["events"][-1]["actor"] == "system"
    assert TRANSITIONS[RequestState.EXPIRED] == frozenset()


def test_ready_is_announced_to_the_office_over_mqtt(
    settings: RecordsSettings, mosquitto: RunningBroker, topic_root: str
) -> None:
    received: queue.Queue[bytes] = queue.Queue()
    sub = mqtt.Client(CallbackAPIVersion.VERSION2)
    sub.on_message = lambda _c, _u, msg: received.put(bytes(msg.payload))
    sub.connect(mosquitto.host, mosquitto.port)
    sub.subscribe(f"{topic_root}/office/+/request-ready", qos=1)
    sub.loop_start()
    configured = settings.model_copy(
        update={
            "mqtt_host": mosquitto.host,
            "mqtt_port": mosquitto.port,
            "mqtt_topic_root": topic_root,
        }
    )
    try:
        with TestClient(create_app(configured)) as client:
            staff = Staff(client)
            tech = staff.make("tech", [Role.TECHNICIAN], ["MK01"])
            one = staff.make("o1", [Role.OFFICER], ["MK01"])
            two = staff.make("o2", [Role.OFFICER], ["MK01"])
            clerk = staff.make("clerk", [Role.CLERK], ["MK01"])
            fields = birth()
            d = client.post(
                "/api/v1/acts",
                headers=one,
                json={
                    "office": "MK01",
                    "kind": "birth",
                    "source": "register_page",
                    "fields": fields,
                },
            )
            act = client.post(
                f"/api/v1/acts/{d.json()['id']}/second-keying", headers=two, json=fields
            ).json()
            token = client.post(
                "/api/v1/terminals",
                headers=tech,
                json={"terminal_id": "kiosk-mk01-09", "office": "MK01"},
            ).json()["token"]
            rid_code = client.post(
                "/api/v1/requests",
                headers={"Authorization": f"Bearer {token}"},
                json=_submission(act, document="extract"),
            ).json()
            url = f"/api/v1/requests/{rid_code['id']}/transitions"
            assert client.post(url, headers=clerk, json={"to": "printed"}).status_code == 200
            assert received.empty()
            assert client.post(url, headers=clerk, json={"to": "ready"}).status_code == 200
            payload = json.loads(received.get(timeout=5))
    finally:
        sub.loop_stop()
        sub.disconnect()
    assert payload["office"] == "MK01"
    assert payload["request_code"] == rid_code["code"]
    assert set(payload) <= {"v", "office", "request_code", "ts"}


def test_concurrent_submissions_keep_codes_unique_and_the_chain_whole(
    client: TestClient, setup: Json
) -> None:
    state = app_state(client)
    with state.sessions() as session:
        kiosk = terminal_principal(session, setup["kiosk"]["Authorization"].split()[1], "10.0.0.9")
    act = setup["act"]

    def submit(i: int) -> str:
        body = SubmissionIn.model_validate(
            _submission(act, document="extract", idempotency_key=f"race-{i:04d}-key")
        )
        with state.sessions() as session:
            receipt = submit_request(session, state.request_services, kiosk, body)
            session.commit()
            return receipt.request.code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(submit, range(40)))
    assert len(set(codes)) == 40
    with state.sessions() as session:
        verdict = verify(session)
    assert verdict.ok, verdict.problem


def test_counter_submission_by_staff(client: TestClient, setup: Json) -> None:
    r = client.post(
        "/api/v1/requests",
        headers=setup["clerk"],
        json=_submission(setup["act"], idempotency_key="counter-0001-abc", copies=1),
    )
    assert r.status_code == 201, r.text
    assert r.json()["secret"]
    got = client.get(f"/api/v1/requests/{r.json()['id']}", headers=setup["clerk"]).json()
    assert got["channel"] == "counter"
    assert got["fee_due_dirhams"] == 2
    assert got["events"][0]["actor"] == "user:clerk"
    own_code = _submission(setup["act"], code=got["code"], secret="ABCDEFGH")
    refused = client.post("/api/v1/requests", headers=setup["clerk"], json=own_code)
    assert refused.json()["code"] == "code_not_reserved"


def test_busy_paths_reuse_their_compiled_sql(
    client: TestClient, setup: Json, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Compiling a statement costs about as much as running it: once warm, the submission,
    # the look-up by reference and the name search must take their SQL from the cache.
    # (SQLAlchemy does not cache some constructs, e.g. a multi-row VALUES with bound
    # parameters or ON CONFLICT, and then compiles them on every call.)
    from sqlalchemy.sql import compiler

    act, kiosk, clerk = setup["act"], setup["kiosk"], setup["officer"]

    def round_trip() -> None:
        body = _submission(act, document="extract", copies=1, requester_relation="self")
        assert client.post("/api/v1/requests", headers=kiosk, json=body).status_code == 201
        found = client.get(f"/api/v1/acts/by-reference/{act['reference']}", headers=clerk)
        assert found.status_code == 200
        names = {"family": act["fields"]["family_name_lat"]}
        assert client.get("/api/v1/acts/search", params=names, headers=clerk).status_code == 200

    for _ in range(3):
        round_trip()
    compiled: list[str] = []
    original = compiler.Compiled.__init__

    def counting(self: compiler.Compiled, *args: object, **kwargs: object) -> None:
        compiled.append(type(args[1]).__name__)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(compiler.Compiled, "__init__", counting)
    for _ in range(5):
        round_trip()
    assert compiled == []


def test_code_leases_of_two_processes_never_overlap(db_url: str) -> None:
    # Each server process leases codes in blocks of its own: two of them (two leases on one
    # database), each with threads racing, hand out every code once and only once.
    from records_backend.db.engine import make_engine, make_session_factory
    from records_backend.services.codes import SequenceLeases

    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    workers = [SequenceLeases(sessions, size=7), SequenceLeases(sessions, size=5)]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: str(workers[i % 2].next_code("MK07", 2026)), range(300)))
    engine.dispose()
    assert len(set(codes)) == 300
    assert all(RequestCode.parse(c).office == "MK07" for c in codes)
