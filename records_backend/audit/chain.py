"""Hashing and verifying the audit chain (pure functions, no database)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class EntryData:
    seq: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    office: str | None
    ip: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str = ""


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_parts(entry: EntryData) -> tuple[str, str]:
    """The entry's canonical JSON without ``prev`` and ``seq``, cut where they go.

    Sorted, the keys run ``action … office``, then ``prev``, ``seq``, then ``target_id``,
    ``target_type``: whoever knows the chain's tail completes the text as
    ``head + '"prev":"<hash>","seq":<n>,' + tail`` (the database does, on PostgreSQL).
    """
    head = _dump(
        {
            "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": entry.actor,
            "action": entry.action,
            "office": entry.office,
            "ip": entry.ip,
            "detail": entry.detail,
        }
    )
    tail = _dump({"target_id": entry.target_id, "target_type": entry.target_type})
    return head[:-1] + ",", tail[1:]


def canonical(entry: EntryData) -> str:
    """Canonical JSON of every field but the hash itself (keys sorted, no spaces)."""
    head, tail = canonical_parts(entry)
    return f'{head}"prev":{json.dumps(entry.prev_hash)},"seq":{entry.seq},{tail}'


def entry_hash(entry: EntryData) -> str:
    """SHA-256 over the canonical JSON."""
    return hashlib.sha256(canonical(entry).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def verify_chain(entries: Iterable[EntryData]) -> Verdict:
    """Walk the chain in ``seq`` order; name the first entry that is altered, missing or moved.

    - altered: its stored hash is not the hash of its content;
    - removed: a gap in ``seq`` or a ``prev_hash`` that is not the previous entry's hash;
    - reordered: content moved between positions changes the hash (``seq`` is hashed).
    """
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            return Verdict(
                False,
                checked,
                expected_seq - 1,
                prev_hash,
                expected_seq,
                f"entry {expected_seq} is missing (next present is {entry.seq})",
            )
        if entry_hash(entry) != entry.hash:
            return Verdict(
                False,
                checked,
                expected_seq - 1,
                prev_hash,
                entry.seq,
                f"entry {entry.seq} was altered (its hash does not match its content)",
            )
        if entry.prev_hash != prev_hash:
            return Verdict(
                False,
                checked,
                expected_seq - 1,
                prev_hash,
                entry.seq,
                f"entry {entry.seq} does not follow entry {entry.seq - 1} "
                "(removed, inserted or reordered entries)",
            )
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    return Verdict(True, checked, expected_seq - 1, prev_hash)
