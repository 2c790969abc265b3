"""Loading many registered acts at once (JSON Lines import, demo data), batch by batch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import (
    Date,
    DateTime,
    Table,
    Time,
    bindparam,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from records_backend.audit.log import Actor, append
from records_backend.db.models import Act, ActEvent, MarginalNote, Office, Register
from records_backend.db.types import UTCDateTime, utcnow
from records_backend.domain.acts import ActFields, ActStatus
from records_backend.services.acts import search_keys

_FIELDS = tuple(ActFields.model_fields)
_ACTS = cast(Table, Act.__table__)
_NOTES = cast(Table, MarginalNote.__table__)
_EVENTS = cast(Table, ActEvent.__table__)
_REGISTERS = cast(Table, Register.__table__)


@dataclass
class BulkAct:
    """A registered act to load: its office, register kind, fields, notes and history."""

    office: str
    kind: str
    fields: dict[str, Any]
    source: str = "register_page"
    notes: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    registered_at: datetime | None = None
    scan_sha256: str | None = None


@dataclass
class BulkResult:
    inserted: int = 0
    skipped: int = 0
    notes: int = 0


def _sqlite_datetime(value: datetime) -> str:
    # UTCDateTime: naive UTC in SQLite, in SQLAlchemy's storage format.
    naive = value.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


def _sqlite_date(value: date) -> str:
    return value.isoformat()


def _sqlite_time(value: time) -> str:
    return value.isoformat(timespec="microseconds")


def _sqlite_converter(column_type: object) -> Callable[[Any], str] | None:
    """What SQLAlchemy's SQLite type of a column would store (ISO text for dates and
    times); None where the value goes in as it is."""
    if isinstance(column_type, UTCDateTime):
        return _sqlite_datetime
    if isinstance(column_type, DateTime):
        raise ValueError("a naive DateTime column: use UTCDateTime")
    if isinstance(column_type, Date):
        return _sqlite_date
    if isinstance(column_type, Time):
        return _sqlite_time
    return None


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _insert_fast(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany straight to the driver: the acts table's per-value type processing costs
    more than the insert itself. Only plain values (text, numbers, dates, times, aware
    datetimes) may appear in ``rows``."""
    columns = list(rows[0])
    unknown = set(columns) - set(table.c.keys())
    if unknown:
        raise ValueError(f"not columns of {table.name}: {sorted(unknown)}")
    sqlite = session.get_bind().dialect.name == "sqlite"
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    # Names come from our own table metadata (checked above); values are bound.
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    if sqlite:
        # Converters chosen once per column, not once per value: a batch has ~70 columns.
        converted = [
            (i, conv)
            for i, c in enumerate(columns)
            if (conv := _sqlite_converter(table.c[c].type)) is not None
        ]
        params: list[tuple[object, ...]] = []
        for row in rows:
            values = [row[c] for c in columns]
            for i, conv in converted:
                if values[i] is not None:
                    values[i] = conv(values[i])
            params.append(tuple(values))
    else:
        params = [tuple(row[c] for c in columns) for row in rows]
    session.connection().exec_driver_sql(sql, params)


class BulkLoader:
    """Caches offices and registers across batches; one audit entry per batch.

    Everything goes through Core ``executemany`` (no ORM unit of work) and act ids are
    reserved up front, so a batch costs a handful of statements whatever its size.
    """

    def __init__(self, session: Session, actor: Actor, action: str = "act.import") -> None:
        self.session = session
        self.actor = actor
        self.action = action
        self.offices = {code: oid for oid, code in session.execute(select(Office.id, Office.code))}
        self.registers: dict[tuple[int, int, str], tuple[int, int]] = {
            (r.office_id, r.year, r.kind): (r.id, r.last_number)
            for r in session.execute(
                select(
                    Register.id,
                    Register.office_id,
                    Register.year,
                    Register.kind,
                    Register.last_number,
                )
            )
        }

    def _ensure_registers(self, keys: set[tuple[int, int, str]]) -> None:
        missing = [k for k in keys if k not in self.registers]
        if not missing:
            return
        self.session.execute(
            insert(_REGISTERS),
            [{"office_id": o, "year": y, "kind": k, "last_number": 0} for o, y, k in missing],
        )
        for r in self.session.execute(
            select(Register.id, Register.office_id, Register.year, Register.kind).where(
                tuple_(Register.office_id, Register.year, Register.kind).in_(missing)
            )
        ):
            self.registers[(r.office_id, r.year, r.kind)] = (r.id, 0)

    def _reserve_ids(self, count: int) -> list[int]:
        if self.session.get_bind().dialect.name == "postgresql":
            return list(
                self.session.scalars(
                    text(
                        "SELECT nextval(pg_get_serial_sequence('acts', 'id')) "
                        "FROM generate_series(1, :n)"
                    ),
                    {"n": count},
                )
            )
        # SQLite: the write lock is held since the transaction began (BEGIN IMMEDIATE).
        top = self.session.scalar(select(func.max(Act.id))) or 0
        return list(range(top + 1, top + 1 + count))

    def load(self, batch: Iterable[BulkAct]) -> BulkResult:
        """Insert one batch (the caller commits). Acts whose reference exists are skipped."""
        items = list(batch)
        result = BulkResult()
        if not items:
            return result
        now = utcnow()
        keys = []
        for item in items:
            if item.office not in self.offices:
                raise ValueError(f"unknown office {item.office}")
            keys.append(
                (
                    self.offices[item.office],
                    item.fields["drawn_up_date"].year,
                    item.kind,
                    item.fields["number"],
                )
            )
        existing = set(
            self.session.execute(
                select(Act.office_id, Act.year, Act.kind, Act.number).where(
                    tuple_(Act.office_id, Act.year, Act.kind, Act.number).in_(keys)
                )
            ).tuples()
        )
        kept: list[tuple[BulkAct, tuple[int, int, str, int]]] = []
        seen: set[tuple[int, int, str, int]] = set()
        for item, key in zip(items, keys, strict=True):
            if key in existing or key in seen:
                result.skipped += 1
                continue
            seen.add(key)
            kept.append((item, key))
        if not kept:
            return result
        self._ensure_registers({(o, y, k) for _, (o, y, k, _n) in kept})
        ids = self._reserve_ids(len(kept))
        rows: list[dict[str, Any]] = []
        note_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        top: dict[tuple[int, int, str], int] = {}
        for act_id, (item, (office_id, year, kind, number)) in zip(ids, kept, strict=True):
            reg_id, _last = self.registers[(office_id, year, kind)]
            top[(office_id, year, kind)] = max(top.get((office_id, year, kind), 0), number)
            f = item.fields
            row = {name: f.get(name) for name in _FIELDS}
            row.update(
                id=act_id,
                office_id=office_id,
                register_id=reg_id,
                year=year,
                kind=kind,
                status=ActStatus.REGISTERED.value,
                source_kind=item.source,
                scan_sha256=item.scan_sha256,
                **search_keys(f),
                created_at=now,
                registered_at=item.registered_at or now,
                created_by_id=None,
                registered_by_id=None,
                birth_act_id=None,
            )
            rows.append(row)
            for n in item.notes:
                validated = n.get("validated", True)
                note_rows.append(
                    {
                        "act_id": act_id,
                        "kind": str(n["kind"]),
                        "note_date": n["note_date"],
                        "authority_kind": str(n["authority_kind"]),
                        "authority_name": n["authority_name"],
                        "authority_reference": n["authority_reference"],
                        "text_ar": n["text_ar"],
                        "text_fr": n["text_fr"],
                        "changes": _json(n.get("changes") or {}),
                        "recorded_by_id": None,
                        "recorded_at": n.get("recorded_at") or now,
                        "validated_by_id": None,
                        "validated_at": (n.get("validated_at") or now) if validated else None,
                    }
                )
            for h in item.history or [{"event": "imported", "at": now, "detail": {}}]:
                event_rows.append(
                    {
                        "act_id": act_id,
                        "at": h["at"],
                        "actor_id": None,
                        "event": h["event"],
                        "detail": _json(h.get("detail") or {}),
                    }
                )
        _insert_fast(self.session, _ACTS, rows)
        if note_rows:
            _insert_fast(self.session, _NOTES, note_rows)
        _insert_fast(self.session, _EVENTS, event_rows)
        changed = []
        for reg_key, number in top.items():
            reg_id, last = self.registers[reg_key]
            if number > last:
                self.registers[reg_key] = (reg_id, number)
                changed.append({"rid": reg_id, "last": number})
        if changed:
            self.session.execute(
                update(_REGISTERS)
                .where(_REGISTERS.c.id == bindparam("rid"))
                .values(last_number=bindparam("last")),
                changed,
            )
        result.inserted = len(rows)
        result.notes = len(note_rows)
        append(
            self.session,
            self.actor,
            self.action,
            "act",
            f"{ids[0]}-{ids[-1]}",
            detail={"inserted": result.inserted, "skipped": result.skipped, "notes": result.notes},
        )
        return result
