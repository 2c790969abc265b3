"""The outbox on a real SQLite file: durability, offline acceptance, retries, purging."""

from __future__ import annotations

import importlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk_terminal.core.model import (
    DocumentKind,
    Lang,
    Relation,
    Submission,
)
from kiosk_terminal.services.outbox import Backoff, Outbox
from kiosk_terminal.services.ports import BackendUnavailable
from protocol.codes import CodeBlock, RequestCode

# The in-memory ports live with the unit tests; shared here by path, not as a package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "kiosk_terminal"))
FakeBackend = importlib.import_module("kiosk_fakes").FakeBackend

pytestmark = pytest.mark.integration
CHILD = Path(__file__).with_name("kiosk_outbox_child.py")


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def _submission(key: str) -> Submission:
    return Submission(
        idempotency_key=key,
        terminal_id="mk07-k1",
        office="MK07",
        act_reference="MK07-1990-N-000412",
        event_date=date(1990, 3, 4),
        requester_name="Amina Alaoui",
        document=DocumentKind.FULL_COPY,
        copies=2,
        relation=Relation.PARENT,
        language=Lang.AR,
        created_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
    )


def _outbox(tmp_path: Path, backend: Any, clock: Clock) -> Outbox:
    outbox = Outbox(tmp_path / "outbox.db", backend, clock=clock, backoff=Backoff(jitter=0))
    outbox.add_block(CodeBlock("MK07", 2026, 100, 102, "mk07-k1"))
    return outbox


def test_online_submission_uses_the_block_code_and_is_purged(tmp_path: Path) -> None:
    backend, clock = FakeBackend(), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    accepted = outbox.submit(_submission("k1"), allow_offline=False)
    assert accepted.code == RequestCode("MK07", 2026, 100)
    assert not accepted.pending
    assert backend.requests["k1"][1:] == (accepted.code, accepted.secret)
    assert outbox.depth() == 0
    assert outbox.codes_left() == 2
    mode = outbox._db.execute("PRAGMA journal_mode").fetchone()[0]
    sync = outbox._db.execute("PRAGMA synchronous").fetchone()[0]
    assert (mode, sync) == ("wal", 2)  # 2 = FULL


def test_offline_acceptance_then_delivery_with_backoff(tmp_path: Path) -> None:
    backend, clock = FakeBackend(online=False), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    accepted = outbox.submit(_submission("k1"), allow_offline=True)
    assert accepted.pending
    assert accepted.code == RequestCode("MK07", 2026, 100)
    assert outbox.depth() == 1
    assert outbox.drain() == 0  # not due yet (2 s backoff)
    clock.t += 2
    assert outbox.drain() == 0  # due, still down: attempt 2, wait 4 s
    row = outbox._db.execute("SELECT attempts, next_at FROM entries").fetchone()
    assert row == (2, clock.t + 4)
    clock.t += 4
    backend.online = True
    assert outbox.drain() == 1
    assert outbox.depth() == 0
    submitted, code, secret = backend.requests["k1"]
    assert (code, secret) == (accepted.code, accepted.secret)
    assert submitted.act_reference == "MK07-1990-N-000412"
    assert submitted.event_date == date(1990, 3, 4)


def test_refused_offline_keeps_nothing_and_an_empty_block_refuses_offline(
    tmp_path: Path,
) -> None:
    backend, clock = FakeBackend(online=False), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    with pytest.raises(BackendUnavailable):
        outbox.submit(_submission("k1"), allow_offline=False)
    assert outbox.stored_texts() == []
    assert outbox.codes_left() == 2  # the refused one burned its code: gaps are harmless
    for key in ("k2", "k3"):
        outbox.submit(_submission(key), allow_offline=True)
    assert outbox.codes_left() == 0
    with pytest.raises(BackendUnavailable):
        outbox.submit(_submission("k4"), allow_offline=True)
    assert outbox.depth() == 2


def test_outbox_survives_reopening_and_a_lost_answer_is_not_a_second_request(
    tmp_path: Path,
) -> None:
    backend, clock = FakeBackend(online=False), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    accepted = outbox.submit(_submission("k1"), allow_offline=True)
    outbox.close()
    backend.online = True
    # The backend got it before the kiosk went down, but its answer never arrived.
    backend.submit(replace(_submission("k1"), code=accepted.code, secret=accepted.secret))
    reopened = Outbox(tmp_path / "outbox.db", backend, clock=clock, backoff=Backoff(jitter=0))
    clock.t += 10
    assert reopened.drain() == 1
    assert list(backend.requests) == ["k1"]
    assert backend.requests["k1"][1] == accepted.code


def test_rejected_later_is_kept_aside_and_not_retried(tmp_path: Path) -> None:
    backend, clock = FakeBackend(online=False), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    outbox.submit(_submission("k1"), allow_offline=True)
    backend.online = True
    backend.reject_reason = "no_such_act"
    clock.t += 5
    assert outbox.drain() == 0
    assert outbox.rejected() == 1
    assert outbox.depth() == 0
    clock.t += 1000
    backend.reject_reason = None
    assert outbox.drain() == 0


def test_stored_payload_holds_only_what_the_request_needs(tmp_path: Path) -> None:
    backend, clock = FakeBackend(online=False), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    outbox.submit(_submission("k1"), allow_offline=True)
    (payload,) = outbox.stored_texts()
    assert set(json.loads(payload)) == {
        "idempotency_key", "terminal_id", "office", "act_reference", "event_date",
        "requester_name", "document", "copies", "relation", "language", "created_at", "code",
        "secret",
    }  # fmt: skip
    raw = (tmp_path / "outbox.db").read_bytes() + (tmp_path / "outbox.db-wal").read_bytes()
    # Chip data, the keys typed for it and the search terms never reach the outbox.
    for never in (b"AB123456", b"2030-01-01", b"Fatima", b"Ahmed"):
        assert never not in raw


def test_refill_reserves_a_new_block_when_few_codes_are_left(tmp_path: Path) -> None:
    backend, clock = FakeBackend(), Clock()
    outbox = _outbox(tmp_path, backend, clock)
    assert not outbox.refill_codes("mk07-k1", low_water=3, size=50)
    assert outbox.refill_codes("mk07-k1", low_water=4, size=50)
    assert outbox.codes_left() == 53


def test_sigkill_at_any_instant_neither_loses_nor_duplicates_a_request(tmp_path: Path) -> None:
    rng = random.Random(6)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    kills = 0
    for run in range(18):
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(tmp_path), str(run), "100000"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run(
        [sys.executable, str(CHILD), str(tmp_path), "999", "50"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert final.returncode == 0, final.stderr
    assert "drained" in final.stdout
    assert kills == 18

    printed = [line.split() for line in (tmp_path / "receipts.log").read_text().splitlines()]
    assert len(printed) > 30
    codes = [code for _, code in printed]
    assert len(set(codes)) == len(codes), "a code was printed on two receipts"
    backend = sqlite3.connect(tmp_path / "backend.db")
    held = dict(backend.execute("SELECT key, code FROM requests").fetchall())
    for key, code in printed:
        assert held.get(key) == code, f"receipt {code} never reached the backend"
    assert len(set(held.values())) == len(held)
    outbox = sqlite3.connect(tmp_path / "outbox.db")
    assert outbox.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 0
