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
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
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
from records_backend.services.bulk import BulkLoader, PreparedAct, prepare

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


#: Lines per chunk when the lines are shared between worker processes.
CHUNK_LINES = 500


def _act_lines(
    path: Path,
    errors: list[str],
    max_errors: int,
    part: int = 0,
    parts: int = 1,
    chunk_lines: int = CHUNK_LINES,
) -> Iterator[tuple[int, ActLine | None]]:
    """Every valid act line; problems go to ``errors`` (header, lines, end, count).

    Yields (chunk, act), and (chunk, None) where a chunk of ``chunk_lines`` act lines
    begins. With ``parts`` > 1 this reader checks only the chunks numbered ``part`` modulo
    ``parts`` and reports only their problems (the end line's count goes with the chunk
    holding it; a bad header or a missing end line only from part 0); it still reads every
    line, to follow the count and the end line exactly as one reader would."""
    lines = _read_lines(path)
    try:
        _n, first = next(lines)
        header = json.loads(first)
    except (StopIteration, json.JSONDecodeError):
        if part == 0:
            errors.append("line 1: not a JSON Lines file")
        return
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        if part == 0:
            errors.append(f"line 1: not a {FORMAT} file")
        return
    version = header.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:  # true == 1 in Python
        readable = ", ".join(str(v) for v in READABLE_VERSIONS)
        if part == 0:
            errors.append(f"line 1: version {version!r} is not supported ({readable})")
        return
    count = 0
    ended = False
    current = -1
    for index, (number, raw) in enumerate(lines):
        chunk = index // chunk_lines
        if chunk % parts != part:
            # Another reader's line: only whether it ends the file matters here. An end
            # line holds the string "end", written plainly or with an escape: lines with
            # neither are not parsed at all.
            if ended:
                return
            end = _end_line(raw) if '"end"' in raw or "\\" in raw else None
            if end is not None:
                ended = True
            else:
                count += 1
            continue
        if chunk != current:
            current = chunk
            yield chunk, None
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
        yield chunk, act
    if part == 0 and not ended and len(errors) < max_errors:
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
    count = sum(1 for _chunk, act in _act_lines(path, errors, max_errors) if act is not None)
    return count, errors


def _prepare(act: ActLine, now: datetime, sqlite: bool) -> PreparedAct:
    # The validated models' own attribute dicts: model_dump() would copy them again.
    return prepare(
        office=act.office,
        kind=act.kind.value,
        fields=vars(act.fields),
        source=act.source.value,
        notes=[vars(n) for n in act.notes],
        history=[vars(h) for h in act.history],
        registered_at=act.registered_at,
        scan_sha256=act.scan_sha256,
        now=now,
        sqlite=sqlite,
    )


#: Files at least this large are checked in worker processes while this one inserts.
PARALLEL_MIN_BYTES = 2_000_000
#: Most worker processes an import starts (on one core, none).
MAX_WORKERS = 4
_MAX_ERRORS = 20


def prepared_chunks(
    path: Path,
    errors: list[str],
    now: datetime,
    sqlite: bool,
    part: int = 0,
    parts: int = 1,
    chunk_lines: int = CHUNK_LINES,
) -> Iterator[tuple[int, int, list[PreparedAct]]]:
    """(chunk, acts checked, acts prepared) for each chunk of lines this reader checks (see
    :func:`_act_lines`). Problems go to ``errors``; once there is one, lines are only
    checked (nothing more is prepared)."""
    current, checked = -1, 0
    acts: list[PreparedAct] = []
    for chunk, act in _act_lines(path, errors, _MAX_ERRORS, part, parts, chunk_lines):
        if act is None:
            if current >= 0:
                yield current, checked, acts
            current, checked, acts = chunk, 0, []
            continue
        checked += 1
        if not errors:
            acts.append(_prepare(act, now, sqlite))
    if current >= 0:
        yield current, checked, acts


def _from_workers(
    path: Path, errors: list[str], now: datetime, sqlite: bool, workers: int
) -> Generator[tuple[int, list[PreparedAct]], None, None]:
    """What :func:`prepared_chunks` gives for the whole file, from ``workers`` processes
    that each check every ``workers``-th chunk of lines: checking the next lines overlaps
    inserting the previous ones. Chunks, and their problems, come back in file order."""
    # The workers must import this very code: give them this interpreter's module path.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs = [
        subprocess.Popen(  # noqa: S603 (our own module, run by this interpreter)
            [
                sys.executable,
                "-m",
                "records_backend.exchange.worker",
                str(path),
                now.isoformat(),
                "sqlite" if sqlite else "other",
                str(part),
                str(workers),
                str(CHUNK_LINES),
            ],
            stdout=subprocess.PIPE,
            env=env,
        )
        for part in range(workers)
    ]

    def receive(part: int) -> tuple[Any, ...]:
        out = procs[part].stdout
        assert out is not None
        try:
            # Plain tuples from our own child, started above.
            message: tuple[Any, ...] = pickle.load(out)  # noqa: S301
        except (EOFError, pickle.UnpicklingError) as exc:
            code = procs[part].wait()
            raise RuntimeError(f"import worker {part} stopped (exit code {code})") from exc
        return message

    try:
        chunk = 0
        while True:
            part = chunk % workers
            message = receive(part)
            if message[0] == "end":
                break
            _kind, number, checked, acts, chunk_errors = message
            if number != chunk:
                raise RuntimeError(f"import worker {part} sent chunk {number}, not {chunk}")
            errors.extend(chunk_errors)
            yield checked, acts
            chunk += 1
        # A worker with no chunk left: the file ended, or too many problems were found (all
        # of them before this chunk). Part 0 has the file's last word (no end line?).
        errors.extend(message[1])
        if part != 0 and len(errors) < _MAX_ERRORS:
            while (message := receive(0))[0] != "end":
                pass
            errors.extend(message[1])
        del errors[_MAX_ERRORS:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


def _serial(
    path: Path, errors: list[str], now: datetime, sqlite: bool
) -> Generator[tuple[int, list[PreparedAct]], None, None]:
    for _chunk, checked, acts in prepared_chunks(path, errors, now, sqlite):
        yield checked, acts


#: SQLite page cache for an import, in KiB (``PRAGMA cache_size`` takes it negated): the
#: name indexes take inserts all over, and with the default 2 MiB their pages go back
#: and forth to the WAL. It only changes memory use, never what a commit guarantees.
IMPORT_CACHE_KIB: int | None = 65536


@contextmanager
def _import_cache(session: Session, sqlite: bool) -> Iterator[None]:
    """A larger SQLite page cache on this session's connection while the import runs,
    set back before the connection goes back to the pool."""
    if not sqlite or IMPORT_CACHE_KIB is None:
        yield
        return
    conn = session.connection()
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{int(IMPORT_CACHE_KIB)}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {before}")


def import_file(
    session: Session,
    path: Path,
    actor: Actor,
    batch: int = 5000,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """All or nothing, in one pass and one transaction: lines are checked as they are loaded,
    and the first bad one turns the import into a check of the rest (to report up to 20
    problems) followed by a rollback. References already present are skipped, so importing
    the same file twice adds nothing the second time.

    ``workers``: processes that check lines while this one inserts; 0 checks them here.
    By default, files of ``PARALLEL_MIN_BYTES`` or more get one per core (two on two
    cores: this process waits on the disk and on them part of the time), up to
    ``MAX_WORKERS``."""
    report = ImportReport()
    loader = BulkLoader(session, actor, action="act.import")
    sqlite = session.get_bind().dialect.name == "sqlite"
    now = utcnow()
    if workers is None:
        cores = os.cpu_count() or 1
        big = path.stat().st_size >= PARALLEL_MIN_BYTES
        workers = min(cores, MAX_WORKERS) if cores > 1 and big else 0
    source = (
        _from_workers(path, report.errors, now, sqlite, workers)
        if workers > 0
        else _serial(path, report.errors, now, sqlite)
    )
    pending: list[PreparedAct] = []

    def flush() -> None:
        result = loader.load_prepared(pending)
        report.inserted += result.inserted
        report.skipped += result.skipped
        report.notes += result.notes
        if progress is not None:
            progress(len(pending))
        pending.clear()

    # closing(): on an error the worker processes stop now, not when the frame is freed.
    with closing(source), _import_cache(session, sqlite):
        for checked, acts in source:
            report.checked += checked
            if report.errors:
                continue
            pending += acts
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
