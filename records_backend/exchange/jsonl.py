"""The ``sijill.acts`` JSON Lines format, version 2 (reads 1 and 2).

Line 1 is a header ``{"format": "sijill.acts", "version": 2, "exported_at": …}``; then one
``{"type": "act", …}`` line per registered act with its fields, marginal notes and history;
the last line is ``{"type": "end", "count": N}`` so a truncated file is detected. Dates are
ISO 8601; civil dates and hours are local as declared; timestamps are UTC. See
docs/records_backend.md for the field list.

Version 2 only adds optional fields (the places in Latin letters), so a version 1 file is a
valid version 2 file whose acts lack them: both are read the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from records_backend.audit.log import Actor, append
from records_backend.db.models import Act, ActEvent, MarginalNote, Office
from records_backend.db.types import utcnow
from records_backend.domain.acts import ActFields, ActKind, ActStatus, SourceKind, reference_of
from records_backend.domain.notes import NoteInput
from records_backend.services.acts import act_fields
from records_backend.services.bulk import BulkAct, BulkLoader

FORMAT = "sijill.acts"
VERSION = 2
#: Versions this code reads. Versions only ever add optional fields.
READABLE_VERSIONS = (1, 2)
_CHUNK = 2000


class NoteLine(NoteInput):
    recorded_at: AwareDatetime | None = None
    validated_at: AwareDatetime | None = None
    validated: bool = True


class HistoryLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime
    event: str = Field(max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict)


class ActLine(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern="^act$")
    reference: str
    office: str
    kind: ActKind
    source: SourceKind
    scan_sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")
    registered_at: AwareDatetime | None = None
    fields: ActFields
    notes: list[NoteLine] = Field(default_factory=list)
    history: list[HistoryLine] = Field(default_factory=list)


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)


def export(
    session: Session,
    out: IO[str],
    actor: Actor,
    office: str | None = None,
    limit: int | None = None,
) -> int:
    """Write every registered act (of one office, or all, or the first ``limit``); returns how
    many."""
    offices = {oid: code for oid, code in session.execute(select(Office.id, Office.code))}
    out.write(
        _dump(
            {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": utcnow().isoformat(),
                "office": office,
            }
        )
        + "\n"
    )
    count = 0
    last_id = 0
    while True:
        stmt = select(Act).where(Act.status == ActStatus.REGISTERED.value, Act.id > last_id)
        if office is not None:
            stmt = stmt.join(Office, Office.id == Act.office_id).where(Office.code == office)
        size = _CHUNK if limit is None else min(_CHUNK, limit - count)
        acts = list(session.scalars(stmt.order_by(Act.id).limit(size))) if size > 0 else []
        if not acts:
            break
        ids = [a.id for a in acts]
        notes: dict[int, list[MarginalNote]] = {}
        for n in session.scalars(
            select(MarginalNote).where(MarginalNote.act_id.in_(ids)).order_by(MarginalNote.id)
        ):
            notes.setdefault(n.act_id, []).append(n)
        events: dict[int, list[ActEvent]] = {}
        for e in session.scalars(
            select(ActEvent).where(ActEvent.act_id.in_(ids)).order_by(ActEvent.id)
        ):
            events.setdefault(e.act_id, []).append(e)
        for a in acts:
            code = offices[a.office_id]
            line = {
                "type": "act",
                "reference": reference_of(code, a.year, ActKind(a.kind), a.number),
                "office": code,
                "kind": a.kind,
                "source": a.source_kind,
                "scan_sha256": a.scan_sha256,
                "registered_at": a.registered_at.isoformat() if a.registered_at else None,
                "fields": act_fields(a).model_dump(mode="json"),
                "notes": [
                    {
                        "kind": n.kind,
                        "note_date": n.note_date.isoformat(),
                        "authority_kind": n.authority_kind,
                        "authority_name": n.authority_name,
                        "authority_reference": n.authority_reference,
                        "text_ar": n.text_ar,
                        "text_fr": n.text_fr,
                        "changes": n.changes,
                        "recorded_at": n.recorded_at.isoformat(),
                        "validated_at": n.validated_at.isoformat() if n.validated_at else None,
                        "validated": n.validated_at is not None,
                    }
                    for n in notes.get(a.id, [])
                ],
                "history": [
                    {"at": e.at.isoformat(), "event": e.event, "detail": e.detail}
                    for e in events.get(a.id, [])
                ],
            }
            out.write(_dump(line) + "\n")
            count += 1
        last_id = ids[-1]
        session.expunge_all()
    out.write(_dump({"type": "end", "count": count}) + "\n")
    append(session, actor, "act.export", "office", office or "*", detail={"count": count})
    return count


@dataclass
class ImportReport:
    checked: int = 0
    inserted: int = 0
    skipped: int = 0
    notes: int = 0
    errors: list[str] = field(default_factory=list)


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                yield number, raw


def _act_lines(path: Path, errors: list[str], max_errors: int) -> Iterator[ActLine]:
    """Every valid act line; problems go to ``errors`` (header, lines, end, count)."""
    lines = _read_lines(path)
    try:
        _n, first = next(lines)
        header = json.loads(first)
    except (StopIteration, json.JSONDecodeError):
        errors.append("line 1: not a JSON Lines file")
        return
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        errors.append(f"line 1: not a {FORMAT} file")
        return
    version = header.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:  # true == 1 in Python
        readable = ", ".join(str(v) for v in READABLE_VERSIONS)
        errors.append(f"line 1: version {version!r} is not supported ({readable})")
        return
    count = 0
    ended = False
    for number, raw in lines:
        if len(errors) >= max_errors:
            return
        if ended:
            errors.append(f"line {number}: data after the end line")
            return
        try:
            act = ActLine.model_validate_json(raw)
        except ValidationError as exc:
            end = _end_line(raw)
            if end is not None:
                ended = True
                if end != count:
                    errors.append(f"line {number}: end says {end} acts, file has {count}")
                continue
            count += 1
            first_error = exc.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in first_error["loc"])
            errors.append(f"line {number}: {loc}: {first_error['msg']}")
            continue
        count += 1
        expected = reference_of(
            act.office, act.fields.drawn_up_date.year, act.kind, act.fields.number
        )
        if expected != act.reference:
            errors.append(
                f"line {number}: reference {act.reference} does not match its fields ({expected})"
            )
            continue
        yield act
    if not ended and len(errors) < max_errors:
        errors.append("the file has no end line: truncated?")


def _end_line(raw: str) -> int | None:
    """The count of an end line, or None when the line is something else."""
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError:
        return None
    if isinstance(obj, dict) and obj.get("type") == "end":
        count = obj.get("count")
        return count if isinstance(count, int) else -1
    return None


def check_file(path: Path, max_errors: int = 20) -> tuple[int, list[str]]:
    """Validate a whole file without touching the database."""
    errors: list[str] = []
    count = sum(1 for _ in _act_lines(path, errors, max_errors))
    return count, errors


def _bulk(a: ActLine) -> BulkAct:
    return BulkAct(
        office=a.office,
        kind=a.kind.value,
        fields=a.fields.model_dump(),
        source=a.source.value,
        notes=[n.model_dump(mode="python") for n in a.notes],
        history=[h.model_dump() for h in a.history],
        registered_at=a.registered_at,
        scan_sha256=a.scan_sha256,
    )


def import_file(
    session: Session,
    path: Path,
    actor: Actor,
    batch: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """All or nothing, in one pass and one transaction: lines are checked as they are loaded,
    and the first bad one turns the import into a check of the rest (to report up to 20
    problems) followed by a rollback. References already present are skipped, so importing
    the same file twice adds nothing the second time."""
    report = ImportReport()
    loader = BulkLoader(session, actor, action="act.import")
    pending: list[BulkAct] = []

    def flush() -> None:
        result = loader.load(pending)
        report.inserted += result.inserted
        report.skipped += result.skipped
        report.notes += result.notes
        if progress is not None:
            progress(len(pending))
        pending.clear()

    for act in _act_lines(path, report.errors, 20):
        report.checked += 1
        if report.errors:
            continue
        pending.append(_bulk(act))
        if len(pending) >= batch:
            flush()
    if not report.errors and pending:
        flush()
    if report.errors:
        session.rollback()
        report.inserted = report.skipped = report.notes = 0
    else:
        session.commit()
    return report
