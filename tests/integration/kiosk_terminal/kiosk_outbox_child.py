"""A kiosk process that submits requests through the outbox until it is killed.

Run by ``test_kiosk_outbox_crash.py``: ``python kiosk_outbox_child.py WORKDIR SEED COUNT``.
The "backend" is a SQLite file of its own (unique idempotency keys, unique codes), so what it
holds survives the kill; the "printer" is an append-only file where each receipt's code is
written (and fsynced) once the outbox has accepted the request.
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from kiosk_terminal.core.model import (
    Accepted,
    ActMatch,
    ActQuery,
    ActReference,
    DocumentKind,
    Lang,
    Relation,
    RequestStatus,
    Submission,
)
from kiosk_terminal.services.outbox import Backoff, Outbox
from kiosk_terminal.services.ports import BackendUnavailable
from protocol.codes import CodeBlock, RequestCode


class FileBackend:
    """Idempotent on the key; a code given to two keys would violate UNIQUE(code)."""

    def __init__(self, path: Path, rng: random.Random) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS requests (key TEXT PRIMARY KEY, code TEXT UNIQUE, "
            "secret TEXT, deliveries INTEGER)"
        )
        self.rng = rng
        self.online = True

    def submit(self, submission: Submission) -> Accepted:
        if not self.online:
            raise BackendUnavailable("down")
        assert submission.code is not None
        assert submission.secret is not None
        self.db.execute("BEGIN IMMEDIATE")
        row = self.db.execute(
            "SELECT code, secret FROM requests WHERE key = ?", (submission.idempotency_key,)
        ).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO requests VALUES (?, ?, ?, 1)",
                (submission.idempotency_key, str(submission.code), submission.secret),
            )
            row = (str(submission.code), submission.secret)
        else:
            self.db.execute(
                "UPDATE requests SET deliveries = deliveries + 1 WHERE key = ?",
                (submission.idempotency_key,),
            )
        self.db.execute("COMMIT")
        if self.rng.random() < 0.2:
            raise BackendUnavailable("answer lost on the way back")
        return Accepted(code=RequestCode.parse(row[0]), secret=row[1], pending=False)

    def find_acts(self, query: ActQuery) -> list[ActMatch]:
        raise NotImplementedError

    def status(self, code: RequestCode, secret: str | None) -> RequestStatus:
        raise NotImplementedError

    def reserve_codes(self, terminal_id: str, size: int) -> CodeBlock:
        raise NotImplementedError


def main() -> None:
    work, seed, count = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    backend = FileBackend(work / "backend.db", rng)
    outbox = Outbox(work / "outbox.db", backend, backoff=Backoff(base_s=0.0, jitter=0))
    outbox.add_block(CodeBlock("MK07", 2026, 1, 100_000, "mk07-k1"))
    receipts = os.open(work / "receipts.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    outbox.drain(limit=1000)  # what a previous run left behind
    print("ready", flush=True)  # the parent's kill timer starts now, whatever the load
    for i in range(count):
        backend.online = rng.random() < 0.6
        submission = Submission(
            idempotency_key=uuid.uuid4().hex,
            terminal_id="mk07-k1",
            office="MK07",
            act_reference=ActReference("MK07", 1990, 1 + i % 900).text,
            event_date=date(1990, 1, 1),
            requester_name="Test Requester",
            document=DocumentKind.EXTRACT,
            copies=1,
            relation=Relation.SELF,
            language=Lang.AR,
            created_at=datetime.now(UTC),
        )
        try:
            accepted = outbox.submit(submission, allow_offline=True)
        except BackendUnavailable:
            continue  # told "not now": no receipt, nothing owed
        os.write(receipts, f"{submission.idempotency_key} {accepted.code}\n".encode())
        os.fsync(receipts)
        backend.online = True
        outbox.drain(limit=5)
    backend.online = True
    while outbox.depth():
        outbox.drain(limit=1000)
    print("drained", flush=True)


if __name__ == "__main__":
    main()
