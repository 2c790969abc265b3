"""``sijill records expire-requests``: requests past their collection deadline expire, nothing
else moves, each expiry is a request event and an audit entry by ``system`` with its time,
and a second run changes nothing. The command runs as a real process on each engine."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from records_backend.audit.log import verify
from records_backend.db.models import AuditEntry, DocRequest, RequestEvent
from records_backend.db.types import utcnow
from records_backend.domain.roles import Role
from records_backend.services.requests import expire_overdue
from records_backend.settings import RecordsSettings
from tests.integration.records_backend.records_helpers import Headers, Json, Staff, app_state

pytestmark = pytest.mark.integration
_keys = itertools.count(1)
#: Older than the 90-day collection deadline.
AGE = timedelta(days=100)


class Desk:
    """A kiosk that submits full copies, and the staff who move them along."""

    def __init__(self, client: TestClient, staff: Staff, act: Json) -> None:
        self.client = client
        self.act = act
        tech = staff.make("tech", [Role.TECHNICIAN], ["MK01"])
        token = client.post(
            "/api/v1/terminals",
            headers=tech,
            json={"terminal_id": "kiosk-mk01-01", "office": "MK01"},
        ).json()["token"]
        self.kiosk: Headers = {"Authorization": f"Bearer {token}"}
        self.clerk = staff.make("clerk", [Role.CLERK], ["MK01"])
        self.officer = staff.login("keyer.one")

    def submit(self) -> int:
        r = self.client.post(
            "/api/v1/requests",
            headers=self.kiosk,
            json={
                "idempotency_key": f"kiosk-kiosk-mk01-01-{next(_keys):06d}",
                "act_reference": self.act["reference"],
                "event_date": self.act["fields"]["event_date"],
                "document": "full_copy",
                "copies": 1,
                "pickup_office": "MK01",
                "requester_name": "Mohamed El Alaoui",
                "requester_relation": "self",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["state"] == "submitted"
        return int(r.json()["id"])

    def move(self, rid: int, *path: str) -> None:
        for to in path:
            if to == "collected":
                fee = self.client.post(f"/api/v1/requests/{rid}/fee", headers=self.clerk)
                assert fee.status_code == 200, fee.text
            headers = self.officer if to in ("approved", "rejected") else self.clerk
            body = {"to": to, "reason": "lien non prouvé"} if to == "rejected" else {"to": to}
            r = self.client.post(f"/api/v1/requests/{rid}/transitions", headers=headers, json=body)
            assert r.status_code == 200, r.text

    def in_state(self, *path: str) -> int:
        rid = self.submit()
        self.move(rid, *path)
        return rid


def _age(client: TestClient, ids: list[int]) -> None:
    """Move these requests' submission and deadline back in time, as if made long ago."""
    with app_state(client).sessions.begin() as session:
        for rid in ids:
            req = session.get(DocRequest, rid)
            assert req is not None
            session.execute(
                update(DocRequest)
                .where(DocRequest.id == rid)
                .values(submitted_at=req.submitted_at - AGE, expires_at=req.expires_at - AGE)
            )


def _states(client: TestClient) -> dict[int, str]:
    with app_state(client).sessions() as session:
        return dict(session.execute(select(DocRequest.id, DocRequest.state)).tuples().all())


def _expire_command(settings: RecordsSettings) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sijill",
            "records",
            "expire-requests",
            "--data-dir",
            str(settings.data_dir),
            "--database-url",
            settings.database_url_resolved(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_expire_requests_moves_only_the_overdue_open_ones(
    client: TestClient,
    staff: Staff,
    settings: RecordsSettings,
    registered_act: Callable[..., Json],
    tmp_path: Path,
) -> None:
    desk = Desk(client, staff, registered_act())
    old = {
        "submitted": desk.in_state(),
        "approved": desk.in_state("approved"),
        "ready": desk.in_state("approved", "printed", "ready"),
    }
    old_untouched = {
        # Printed documents wait for the counter to receive them: not expirable (TRANSITIONS).
        "printed": desk.in_state("approved", "printed"),
        "collected": desk.in_state("approved", "printed", "ready", "collected"),
        "rejected": desk.in_state("rejected"),
    }
    recent = {
        "submitted": desk.in_state(),
        "approved": desk.in_state("approved"),
        "ready": desk.in_state("approved", "printed", "ready"),
    }
    _age(client, [*old.values(), *old_untouched.values()])
    before = _states(client)

    started = utcnow()
    out = _expire_command(settings)
    finished = utcnow()

    assert "3 requests expired" in out
    after = _states(client)
    assert {rid: after[rid] for rid in old.values()} == dict.fromkeys(old.values(), "expired")
    for rid in [*old_untouched.values(), *recent.values()]:
        assert after[rid] == before[rid], rid

    with app_state(client).sessions() as session:
        for previous, rid in old.items():
            events = list(
                session.scalars(
                    select(RequestEvent)
                    .where(RequestEvent.request_id == rid)
                    .order_by(RequestEvent.id)
                )
            )
            last = events[-1]
            assert (last.from_state, last.to_state, last.actor) == (previous, "expired", "system")
            assert started <= last.at <= finished
            req = session.get(DocRequest, rid)
            assert req is not None
            assert started <= req.updated_at <= finished
        audited = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "request.expired")
                .order_by(AuditEntry.seq)
            )
        )
        assert sorted((a.target_type, int(a.target_id)) for a in audited) == sorted(
            ("request", rid) for rid in old.values()
        )
        for entry in audited:
            assert entry.actor == "system"
            assert entry.office == "MK01"
            assert started <= entry.at <= finished
            rid = int(entry.target_id)
            assert entry.detail == {"from": next(k for k, v in old.items() if v == rid)}
        assert verify(session).ok

    # Again: nothing left to expire, no new event, no new audit entry.
    with app_state(client).sessions() as session:
        seq_before = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()))
        events_before = len(list(session.scalars(select(RequestEvent.id))))
    assert "0 requests expired" in _expire_command(settings)
    assert _states(client) == after
    with app_state(client).sessions() as session:
        assert session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc())) == (
            seq_before
        )
        assert len(list(session.scalars(select(RequestEvent.id)))) == events_before


def test_the_deadline_itself_is_still_in_time(
    client: TestClient, staff: Staff, registered_act: Callable[..., Json]
) -> None:
    """A request expires once its deadline has passed, not at the deadline."""
    desk = Desk(client, staff, registered_act())
    rid = desk.submit()
    with app_state(client).sessions() as session:
        req = session.get(DocRequest, rid)
        assert req is not None
        deadline: datetime = req.expires_at
    with app_state(client).sessions.begin() as session:
        assert expire_overdue(session, deadline) == 0
    assert _states(client)[rid] == "submitted"
    with app_state(client).sessions.begin() as session:
        assert expire_overdue(session, deadline + timedelta(microseconds=1)) == 1
    assert _states(client)[rid] == "expired"
    with app_state(client).sessions.begin() as session:
        assert expire_overdue(session, deadline + timedelta(days=1)) == 0
