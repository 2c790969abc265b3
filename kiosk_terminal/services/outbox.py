"""The offline-first outbox: a confirmed request is on disk before it is sent.

One SQLite file (WAL, ``synchronous=FULL``: a commit survives a power cut). Each entry is a
:class:`Submission` with its idempotency key, its request code from the terminal's reserved
block and its receipt secret, allocated in the same transaction as the entry is written, so a
crash can neither hand one code to two requests nor lose a request whose receipt was printed.
Entries are deleted once the backend acknowledges them. Only what the request needs is stored:
the submission carries the act's reference and date, the requester's name, the document,
copies and relation (see :class:`Submission`).

States: ``new`` (written, first send in progress; picked up by :meth:`drain` after a crash),
``pending`` (accepted offline, retried with backoff), ``rejected`` (the backend refused it
later: kept for the technician, never retried).
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk_terminal.core.model import (
    Accepted,
    DocumentKind,
    Lang,
    Relation,
    Submission,
)
from kiosk_terminal.services.ports import BackendClient, BackendRejected, BackendUnavailable
from protocol.codes import CodeBlock, RequestCode, new_receipt_secret

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    key TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    code TEXT UNIQUE,
    secret TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    created_at REAL NOT NULL,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS blocks (
    office TEXT NOT NULL,
    year INTEGER NOT NULL,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    next_seq INTEGER NOT NULL,
    PRIMARY KEY (office, year, first)
);
"""
#: A first send in progress is left to its own thread this long before drain() retries it.
_NEW_GRACE_S = 30.0


@dataclass(frozen=True)
class Backoff:
    base_s: float = 2.0
    factor: float = 2.0
    cap_s: float = 300.0
    jitter: float = 0.2  # ± fraction, so a fleet coming back online does not retry in step

    def delay(self, attempts: int) -> float:
        raw = min(self.cap_s, self.base_s * self.factor ** max(0, attempts - 1))
        if not self.jitter:
            return raw
        return float(raw * random.uniform(1 - self.jitter, 1 + self.jitter))  # noqa: S311


def submission_to_json(sub: Submission) -> str:
    body: dict[str, Any] = {
        "idempotency_key": sub.idempotency_key,
        "terminal_id": sub.terminal_id,
        "office": sub.office,
        "act_reference": sub.act_reference,
        "event_date": sub.event_date.isoformat(),
        "requester_name": sub.requester_name,
        "document": sub.document.value,
        "copies": sub.copies,
        "relation": sub.relation.value,
        "language": sub.language.value,
        "created_at": sub.created_at.isoformat(),
        "code": None if sub.code is None else str(sub.code),
        "secret": sub.secret,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def submission_from_json(text: str) -> Submission:
    body = json.loads(text)
    return Submission(
        idempotency_key=body["idempotency_key"],
        terminal_id=body["terminal_id"],
        office=body["office"],
        act_reference=body["act_reference"],
        event_date=date.fromisoformat(body["event_date"]),
        requester_name=body["requester_name"],
        document=DocumentKind(body["document"]),
        copies=body["copies"],
        relation=Relation(body["relation"]),
        language=Lang(body["language"]),
        created_at=datetime.fromisoformat(body["created_at"]),
        code=None if body["code"] is None else RequestCode.parse(body["code"]),
        secret=body["secret"],
    )


class Outbox:
    """The durable queue in front of the backend; implements the ``Submitter`` port."""

    def __init__(
        self,
        path: Path,
        backend: BackendClient,
        clock: Callable[[], float] = time.time,
        backoff: Backoff | None = None,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.backend = backend
        self.clock = clock
        self.backoff = backoff or Backoff()
        self._lock = threading.Lock()
        self._refill_warned_at = float("-inf")
        self._db = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        # A first send still marked "new" belongs to a process that died: due now.
        self._db.execute("UPDATE entries SET next_at = ? WHERE state = 'new'", (self.clock(),))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- code blocks --------------------------------------------------------------------

    def add_block(self, block: CodeBlock) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO blocks (office, year, first, last, next_seq) "
                "VALUES (?, ?, ?, ?, ?)",
                (block.office, block.year, block.first, block.last, block.first),
            )

    def codes_left(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(last - next_seq + 1), 0) FROM blocks WHERE next_seq <= last"
            ).fetchone()
        return int(row[0])

    def refill_codes(self, terminal_id: str, low_water: int = 20, size: int = 200) -> bool:
        """Reserve another block from the backend when few codes are left."""
        if self.codes_left() >= low_water:
            return False
        try:
            block = self.backend.reserve_codes(terminal_id, size)
        except (BackendUnavailable, BackendRejected) as exc:
            now = self.clock()
            if now - self._refill_warned_at >= 300:  # say it every five minutes, not each try
                log.warning("could not reserve request codes: %s", exc)
                self._refill_warned_at = now
            return False
        self.add_block(block)
        return True

    def _take_code(self, office: str) -> RequestCode | None:
        # Inside the caller's transaction: the code and the entry commit together.
        row = self._db.execute(
            "SELECT office, year, first, next_seq FROM blocks WHERE next_seq <= last "
            "ORDER BY office != ?, year, first LIMIT 1",
            (office,),
        ).fetchone()
        if row is None:
            return None
        self._db.execute(
            "UPDATE blocks SET next_seq = next_seq + 1 WHERE office = ? AND year = ? AND first = ?",
            (row[0], row[1], row[2]),
        )
        return RequestCode(row[0], row[1], row[3])

    # --- submissions --------------------------------------------------------------------

    def _record(self, submission: Submission) -> Submission:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                code = self._take_code(submission.office)
                stored = replace(
                    submission, code=code, secret=submission.secret or new_receipt_secret()
                )
                now = self.clock()
                self._db.execute(
                    "INSERT INTO entries (key, payload, code, secret, state, next_at, created_at)"
                    " VALUES (?, ?, ?, ?, 'new', ?, ?)",
                    (
                        stored.idempotency_key,
                        submission_to_json(stored),
                        None if code is None else str(code),
                        stored.secret,
                        now + _NEW_GRACE_S,
                        now,
                    ),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return stored

    def submit(self, submission: Submission, allow_offline: bool) -> Accepted:
        """Write, then send; offline, accept with the block's code when allowed."""
        stored = self._record(submission)
        key = stored.idempotency_key
        assert stored.secret is not None
        try:
            accepted = self.backend.submit(stored)
        except BackendUnavailable as exc:
            if allow_offline and stored.code is not None:
                self._retry_later(key, str(exc), state="pending")
                log.info("request accepted offline, %s waiting", self.depth())
                return Accepted(code=stored.code, secret=stored.secret, pending=True)
            # The citizen is told plainly that it did not go through: nothing to keep.
            self._delete(key)
            raise
        except BackendRejected:
            self._delete(key)
            raise
        self._delete(key)
        return accepted

    def drain(self, limit: int = 50) -> int:
        """Send what is due; returns how many the backend acknowledged."""
        now = self.clock()
        with self._lock:
            rows = self._db.execute(
                "SELECT key, payload FROM entries WHERE state IN ('new', 'pending') "
                "AND next_at <= ? ORDER BY created_at LIMIT ?",
                (now, limit),
            ).fetchall()
        sent = 0
        for key, payload in rows:
            submission = submission_from_json(payload)
            try:
                self.backend.submit(submission)
            except BackendUnavailable as exc:
                self._retry_later(key, str(exc), state="pending")
                break  # the backend is down: the others will not fare better now
            except BackendRejected as exc:
                log.error("queued request refused by the backend: %s", exc.reason)
                with self._lock:
                    self._db.execute(
                        "UPDATE entries SET state = 'rejected', last_error = ? WHERE key = ?",
                        (exc.reason[:200], key),
                    )
                continue
            self._delete(key)
            sent += 1
        return sent

    def _retry_later(self, key: str, error: str, state: str) -> None:
        with self._lock:
            row = self._db.execute("SELECT attempts FROM entries WHERE key = ?", (key,)).fetchone()
            attempts = (row[0] if row else 0) + 1
            self._db.execute(
                "UPDATE entries SET state = ?, attempts = ?, next_at = ?, last_error = ? "
                "WHERE key = ?",
                (state, attempts, self.clock() + self.backoff.delay(attempts), error[:200], key),
            )

    def _delete(self, key: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM entries WHERE key = ?", (key,))

    # --- observation --------------------------------------------------------------------

    def depth(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM entries WHERE state IN ('new', 'pending')"
            ).fetchone()
        return int(row[0])

    def oldest_age_s(self) -> float | None:
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(created_at) FROM entries WHERE state IN ('new', 'pending')"
            ).fetchone()
        return None if row[0] is None else max(0.0, self.clock() - float(row[0]))

    def rejected(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*) FROM entries WHERE state = 'rejected'"
            ).fetchone()
        return int(row[0])

    def stored_texts(self) -> list[str]:
        """Every stored payload, for audits of what the outbox keeps."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT payload FROM entries")]
