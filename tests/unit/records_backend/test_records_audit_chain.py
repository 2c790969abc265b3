"""The audit chain, without a database: every kind of tampering is found and named."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from records_backend.audit.chain import (
    GENESIS,
    EntryData,
    canonical,
    canonical_parts,
    entry_hash,
    verify_chain,
)


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


def _one_dictionary_hash(entry: EntryData) -> str:
    """The chain's hash written the plain way: one sorted dictionary, dumped compactly."""
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "office": entry.office,
        "ip": entry.ip,
        "detail": entry.detail,
        "prev": entry.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


_text = st.text(max_size=30)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(1, 10**12),
    at=st.datetimes(timezones=st.just(UTC)),
    actor=_text,
    action=_text,
    target_type=_text,
    target_id=_text,
    office=st.none() | _text,
    ip=st.none() | _text,
    detail=st.dictionaries(_text, _json, max_size=4),
    prev=st.text("0123456789abcdef", min_size=64, max_size=64),
)
def test_the_cut_canonical_text_hashes_like_one_dictionary(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    office: str | None,
    ip: str | None,
    detail: dict[str, object],
    prev: str,
) -> None:
    # PostgreSQL completes head + prev + seq + tail itself (audit_append): the text it
    # hashes must be the one dictionary's, whatever the content (quotes, Arabic, controls).
    entry = EntryData(seq, at, actor, action, target_type, target_id, office, ip, detail, prev)
    head, tail = canonical_parts(entry)
    completed = f'{head}"prev":"{prev}","seq":{seq},{tail}'
    assert completed == canonical(entry)
    assert entry_hash(entry) == _one_dictionary_hash(entry)
