"""The audit chain, without a database: every kind of tampering is found and named."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from records_backend.audit.chain import GENESIS, EntryData, entry_hash, verify_chain


def _chain(n: int) -> list[EntryData]:
    out: list[EntryData] = []
    prev = GENESIS
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for seq in range(1, n + 1):
        e = EntryData(
            seq,
            start + timedelta(seconds=seq),
            "user:a",
            "act.read",
            "act",
            str(seq),
            "MK01",
            "10.0.0.1",
            {"n": seq},
            prev,
        )
        e = dataclasses.replace(e, hash=entry_hash(e))
        out.append(e)
        prev = e.hash
    return out


def test_intact_chain() -> None:
    v = verify_chain(_chain(5))
    assert v.ok
    assert (v.checked, v.head_seq) == (5, 5)
    assert verify_chain([]).ok


def test_altered_removed_reordered() -> None:
    chain = _chain(6)
    altered = [*chain[:2], dataclasses.replace(chain[2], actor="user:b"), *chain[3:]]
    assert verify_chain(altered).first_bad_seq == 3
    removed = chain[:3] + chain[4:]
    assert verify_chain(removed).first_bad_seq == 4
    first_removed = chain[1:]
    assert verify_chain(first_removed).first_bad_seq == 1
    swapped = [
        *chain[:2],
        dataclasses.replace(chain[3], seq=3),
        dataclasses.replace(chain[2], seq=4),
        *chain[4:],
    ]
    assert verify_chain(swapped).first_bad_seq == 3


def test_the_hash_covers_every_field() -> None:
    e = _chain(1)[0]
    changed = [
        dataclasses.replace(e, ip="10.0.0.2"),
        dataclasses.replace(e, office="MK02"),
        dataclasses.replace(e, detail={"n": 2}),
        dataclasses.replace(e, at=e.at + timedelta(microseconds=1)),
        dataclasses.replace(e, target_id="9"),
    ]
    assert all(entry_hash(c) != e.hash for c in changed)
