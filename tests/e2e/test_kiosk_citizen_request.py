"""A citizen's request at the kiosk, end to end: the real records backend (its FastAPI app on
SQLite, over its HTTP interface), a real Mosquitto, the printer simulator.

Citizen: types the act's reference and birth date, asks for a full copy as the holder, gets a
receipt (ESC/POS bytes decoded back to an image; its QR read by zbar). Clerk: opens the request
from the receipt's QR through the API; an officer approves it; the clerk prints, makes it
ready and hands it over. The kiosk then reads its status from the same QR. The fleet hears
"request submitted" and "receipt printed", without code or person.
"""

from __future__ import annotations

import importlib
import json
import logging
import queue
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from paho.mqtt.client import Client, MQTTMessage
from paho.mqtt.enums import CallbackAPIVersion

from drivers.printer.decode import decode
from kiosk_terminal.agent import AgentOptions
from kiosk_terminal.core.lookup import StatusJourney, StatusStep
from kiosk_terminal.core.model import (
    ActReference,
    DocumentKind,
    IdentifyMethod,
    Lang,
    NameQuery,
    Relation,
    RequestState,
)
from kiosk_terminal.core.request import RequestJourney, RequestStep
from kiosk_terminal.runtime import build_runtime
from kiosk_terminal.services.backend_http import HttpBackend
from kiosk_terminal.services.fleet import FleetBridge
from kiosk_terminal.settings import KioskSettings
from protocol.codec import decode as decode_message
from protocol.messages import Event, EventKind
from protocol.qr import ReceiptQr
from protocol.topics import TerminalChannel, Topics
from records_backend.app import create_app
from records_backend.domain.roles import Role
from records_backend.settings import RecordsSettings

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration" / "records_backend"))
helpers = importlib.import_module("records_helpers")

pytestmark = pytest.mark.e2e
TERMINAL = "kiosk-mk01-01"


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[TestClient]:
    settings = RecordsSettings(
        data_dir=tmp_path / "records",
        database_url=f"sqlite:///{tmp_path / 'records.db'}",
        argon2_time_cost=1,
        argon2_memory_kib=64,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _register_act(client: TestClient, staff: Any) -> dict[str, Any]:
    first = staff.make("keyer.one", [Role.OFFICER], ["MK01"])
    second = staff.make("keyer.two", [Role.OFFICER], ["MK01"])
    fields = helpers.birth()
    r = client.post(
        "/api/v1/acts",
        headers=first,
        json={"office": "MK01", "kind": "birth", "source": "register_page", "fields": fields},
    )
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/acts/{r.json()['id']}/second-keying", headers=second, json=fields)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_citizen_request_receipt_then_the_clerk_hands_it_over(
    backend: TestClient,
    tmp_path: Path,
    mosquitto: Any,
    topic_root: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    staff = helpers.Staff(backend)
    act = _register_act(backend, staff)
    tech = staff.make("tech", [Role.TECHNICIAN], ["MK01"])
    token = backend.post(
        "/api/v1/terminals", headers=tech, json={"terminal_id": TERMINAL, "office": "MK01"}
    ).json()["token"]
    clerk = staff.make("clerk", [Role.CLERK], ["MK01"])
    officer = staff.login("keyer.one")

    # The kiosk, on the backend's HTTP interface with its own terminal token.
    kiosk_http = TestClient(backend.app)
    settings = KioskSettings(
        data_dir=tmp_path / "kiosk", terminal_id=TERMINAL, office_code="MK01", speech=False
    )
    runtime = build_runtime(
        settings, simulated=True, backend=HttpBackend("", token, client=kiosk_http)
    )
    bridge = FleetBridge(
        runtime,
        AgentOptions(terminal_id=TERMINAL, office="MK01", host=mosquitto.host,
                     port=mosquitto.port, topic_root=topic_root),
        run_on_ui=lambda fn: fn(),
    )  # fmt: skip
    runtime.closers.append(bridge.stop)
    events: queue.Queue[bytes] = queue.Queue()
    probe = Client(CallbackAPIVersion.VERSION2, client_id="e2e-probe")

    def got(_c: Any, _u: Any, msg: MQTTMessage) -> None:
        events.put(bytes(msg.payload))

    probe.on_message = got
    probe.connect(mosquitto.host, mosquitto.port)
    probe.subscribe(Topics(topic_root).terminal(TERMINAL, TerminalChannel.EVENT), qos=1)
    probe.loop_start()
    try:
        bridge.start()
        assert bridge.agent.wait_connected(10)
        assert runtime.outbox.refill_codes(TERMINAL, low_water=10, size=50)

        # --- the citizen ----------------------------------------------------------------
        # By names and birth date through the kiosk's own adapter: a spelling variant
        # finds the act, and the kiosk learns its reference only.
        kiosk_backend = HttpBackend("", token, client=kiosk_http)
        found_by_name = kiosk_backend.find_acts(
            NameQuery(given_name="Mohammed", family_name="Alaoui", birth_date=date(1990, 5, 14))
        )
        assert [m.reference for m in found_by_name] == [act["reference"]]
        assert (
            kiosk_backend.find_acts(
                NameQuery(given_name="Mohammed", family_name="Alaoui", birth_date=date(1990, 5, 15))
            )
            == []
        )
        number = int(act["reference"].split("-")[-1])
        journey = RequestJourney(runtime.session.deps.request, Lang.AR)
        journey.choose_method(IdentifyMethod.REFERENCE)
        journey.reference(ActReference("MK01", 1990, number), date(1990, 5, 14))
        assert journey.act_label == act["reference"]
        journey.choose_document(DocumentKind.FULL_COPY, copies=2)
        journey.choose_relation(Relation.SELF)
        journey.requester("Mohamed El Alaoui")
        journey.confirm()
        assert journey.run_submission() is RequestStep.DONE, journey.reason
        runtime.journey_done(journey)
        accepted = journey.accepted
        assert accepted is not None
        assert not accepted.pending
        assert runtime.outbox.depth() == 0  # acknowledged, purged

        paper = runtime.simulated_paper
        assert paper is not None
        printed = decode(bytes(paper.printed))
        assert len(printed.receipts) == 1
        receipt_png = tmp_path / "receipt.png"
        printed.receipts[0].convert("L").save(receipt_png)
        artifacts = ROOT / "var" / "test-artifacts"
        artifacts.mkdir(parents=True, exist_ok=True)
        shutil.copy(receipt_png, artifacts / "kiosk-e2e-receipt.png")
        if shutil.which("zbarimg"):
            read = subprocess.run(
                ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(receipt_png)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert read.stdout.strip() == ReceiptQr(accepted.code, accepted.secret).encode()

        # --- the counter ----------------------------------------------------------------
        qr = ReceiptQr(accepted.code, accepted.secret).encode()
        found = backend.post("/api/v1/requests/lookup", headers=clerk, json={"qr": qr})
        assert found.status_code == 200, found.text
        request = found.json()
        assert request["code"] == str(accepted.code)
        assert request["channel"] == "kiosk"
        assert request["copies"] == 2
        assert request["requester_relation"] == "self"
        rid = request["id"]
        for target, who in (("approved", officer), ("printed", clerk), ("ready", clerk)):
            r = backend.post(f"/api/v1/requests/{rid}/transitions", headers=who,
                             json={"to": target})  # fmt: skip
            assert r.status_code == 200, r.text

        status = StatusJourney(runtime.backend)
        status.scanned(qr)
        assert status.step is StatusStep.RESULT
        assert status.status is not None
        assert status.status.state is RequestState.READY

        fee = backend.post(f"/api/v1/requests/{rid}/fee", headers=clerk)
        assert fee.status_code == 200, fee.text
        r = backend.post(f"/api/v1/requests/{rid}/transitions", headers=clerk,
                         json={"to": "collected"})  # fmt: skip
        assert r.status_code == 200, r.text
        after = StatusJourney(runtime.backend)
        after.scanned(qr)
        assert after.status is not None
        assert after.status.state is RequestState.COLLECTED

        # --- the fleet ------------------------------------------------------------------
        kinds: set[EventKind] = set()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(kinds) < 2:
            try:
                raw = events.get(timeout=0.5)
            except queue.Empty:
                continue
            event = decode_message(Event, raw)
            if isinstance(event, Event):
                kinds.add(event.kind)
                assert str(accepted.code) not in json.dumps(event.data)
        assert {EventKind.REQUEST_SUBMITTED, EventKind.RECEIPT_PRINTED} <= kinds

        # Nothing personal in the kiosk's logs (nor in the HTTP client's or the drivers').
        ours = [
            r.getMessage()
            for r in caplog.records
            if r.name.split(".")[0] in ("kiosk_terminal", "httpx", "httpcore", "drivers")
        ]
        assert ours, "the kiosk logged nothing at all"
        for secret in ("Mohamed", "El Alaoui", "1990-05-14", accepted.secret):
            assert not any(secret in message for message in ours), secret
    finally:
        probe.loop_stop()
        probe.disconnect()
        runtime.close()
