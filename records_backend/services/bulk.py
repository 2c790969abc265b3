"""Loading many registered acts at once (JSON Lines import, demo data), batch by batch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import Enum
from operator import itemgetter
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Date,
    DateTime,
    Table,
    Time,
    func,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from records_backend.audit.log import Actor, append
from records_backend.db.models import Act, ActEvent, MarginalNote, Office, Register
from records_backend.db.types import UTCDateTime, utcnow
from records_backend.domain.acts import ActFields, ActStatus
from records_backend.services.acts import search_keys

_FIELDS = tuple(ActFields.model_fields)
_FIELD_VALUES = itemgetter(*_FIELDS)
#: Positions in ``_FIELDS`` of the fields whose value is an enum member (sex).
_ENUM_FIELDS = tuple(
    i
    for i, f in enumerate(ActFields.model_fields.values())
    if isinstance(f.annotation, type) and issubclass(f.annotation, Enum)
)
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


#: Stored forms of recent timestamps: an import repeats a few (its own time, the exported
#: acts' registration and history times), and converting costs more than looking up.
_STAMPS: dict[datetime, str] = {}


def _sqlite_datetime(value: datetime) -> str:
    # UTCDateTime: naive UTC in SQLite, in SQLAlchemy's storage format. Aware datetimes
    # that are the same instant are equal (and hash alike) whatever their offset.
    text = _STAMPS.get(value)
    if text is None:
        naive = value.astimezone(UTC).replace(tzinfo=None)
        text = naive.isoformat(sep=" ", timespec="microseconds")
        if len(_STAMPS) >= 4096:
            _STAMPS.clear()
        _STAMPS[value] = text
    return text


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
        return date.isoformat
    if isinstance(column_type, Time):
        return _sqlite_time
    return None


def _json(value: dict[str, Any] | None) -> str:
    if not value:  # most notes change nothing, most events have no detail
        return "{}"
    return json.dumps(value, ensure_ascii=False, default=str)


#: Search key columns, in the order a prepared act carries them (see ``search_keys``).
_KEY_COLUMNS = (
    "given_key_ar",
    "family_key_ar",
    "given_key_lat",
    "family_key_lat",
    "given_key_tfng",
    "family_key_tfng",
    "father_key",
    "mother_key",
)
#: Columns of an act row that the loader fills in itself (ids depend on the database).
_ACT_HEAD = ("id", "office_id", "register_id")
#: Columns of a prepared act's ``values``, in order.
ACT_COLUMNS = (
    *_FIELDS,
    "year",
    "kind",
    "status",
    "source_kind",
    "scan_sha256",
    *_KEY_COLUMNS,
    "created_at",
    "registered_at",
    "created_by_id",
    "registered_by_id",
    "birth_act_id",
)
NOTE_COLUMNS = (
    "kind",
    "note_date",
    "authority_kind",
    "authority_name",
    "authority_reference",
    "text_ar",
    "text_fr",
    "changes",
    "recorded_by_id",
    "recorded_at",
    "validated_by_id",
    "validated_at",
)
EVENT_COLUMNS = ("at", "actor_id", "event", "detail")


def _converters(
    table: Table, columns: tuple[str, ...]
) -> tuple[tuple[int, Callable[[Any], str]], ...]:
    """Per column position, the SQLite storage conversion it needs (chosen once, not per
    value: an act has ~60 columns)."""
    return tuple(
        (i, conv)
        for i, c in enumerate(columns)
        if (conv := _sqlite_converter(table.c[c].type)) is not None
    )


_REGISTERED = ActStatus.REGISTERED.value
_ACT_CONV = _converters(_ACTS, ACT_COLUMNS)
_NOTE_CONV = _converters(_NOTES, NOTE_COLUMNS)
_EVENT_CONV = _converters(_EVENTS, EVENT_COLUMNS)


def _stored(
    values: list[Any], conv: tuple[tuple[int, Callable[[Any], str]], ...], sqlite: bool
) -> tuple[Any, ...]:
    if sqlite:
        for i, c in conv:
            if values[i] is not None:
                values[i] = c(values[i])
    return tuple(values)


class PreparedAct(NamedTuple):
    """An act turned into the values its rows store, ready for ``executemany``: what can be
    computed without the database (ids, registers and existing references come at load).
    Plain values only, so it crosses a process boundary cheaply."""

    office: str
    year: int
    kind: str
    number: int
    #: In ``ACT_COLUMNS`` order, converted for the target engine.
    values: tuple[Any, ...]
    #: Each in ``NOTE_COLUMNS`` order.
    notes: list[tuple[Any, ...]]
    #: Each in ``EVENT_COLUMNS`` order.
    events: list[tuple[Any, ...]]


def prepare(
    *,
    office: str,
    kind: str,
    fields: Mapping[str, Any],
    source: str,
    notes: Iterable[Mapping[str, Any]],
    history: Iterable[Mapping[str, Any]],
    registered_at: datetime | None,
    scan_sha256: str | None,
    now: datetime,
    sqlite: bool,
) -> PreparedAct:
    """The rows of one act. ``sqlite``: store dates and times as SQLAlchemy's SQLite types
    would (ISO text); otherwise the driver gets Python values."""
    year = fields["drawn_up_date"].year
    keys = search_keys(fields)
    try:
        values = list(_FIELD_VALUES(fields))
    except KeyError:  # fields left out (None)
        values = [fields.get(name) for name in _FIELDS]
    for i in _ENUM_FIELDS:  # plain text: an enum member pickles and binds more slowly
        if values[i] is not None:
            values[i] = str(values[i])
    values += (year, kind, _REGISTERED, source, scan_sha256)
    values += (keys[c] for c in _KEY_COLUMNS)
    values += (now, registered_at or now, None, None, None)
    note_rows = []
    for n in notes:
        validated = n.get("validated", True)
        note_rows.append(
            _stored(
                [
                    str(n["kind"]),
                    n["note_date"],
                    str(n["authority_kind"]),
                    n["authority_name"],
                    n["authority_reference"],
                    n["text_ar"],
                    n["text_fr"],
                    _json(n.get("changes")),
                    None,
                    n.get("recorded_at") or now,
                    None,
                    (n.get("validated_at") or now) if validated else None,
                ],
                _NOTE_CONV,
                sqlite,
            )
        )
    event_rows = [
        _stored([h["at"], None, h["event"], _json(h.get("detail"))], _EVENT_CONV, sqlite)
        for h in history or [{"event": "imported", "at": now, "detail": {}}]
    ]
    return PreparedAct(
        office,
        year,
        kind,
        fields["number"],
        _stored(values, _ACT_CONV, sqlite),
        note_rows,
        event_rows,
    )


def _insert_rows(
    session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """executemany straight to the driver: SQLAlchemy's per-value type processing costs more
    than the insert itself. ``rows`` are already in the engine's storage form."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    # Names come from this module's column lists, checked against the tables at import.
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    session.connection().exec_driver_sql(sql, rows)


def _check_columns() -> None:
    for table, columns in (
        (_ACTS, _ACT_HEAD + ACT_COLUMNS),
        (_NOTES, ("act_id", *NOTE_COLUMNS)),
        (_EVENTS, ("act_id", *EVENT_COLUMNS)),
    ):
        unknown = set(columns) - set(table.c.keys())
        if unknown:
            raise ValueError(f"not columns of {table.name}: {sorted(unknown)}")


_check_columns()
#: Keys per existence query: 4 bound values each, well under SQLite's and psycopg's limits.
_KEYS_PER_QUERY = 2000


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
        now = utcnow()
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        return self.load_prepared(
            [
                prepare(
                    office=item.office,
                    kind=item.kind,
                    fields=item.fields,
                    source=item.source,
                    notes=item.notes,
                    history=item.history,
                    registered_at=item.registered_at,
                    scan_sha256=item.scan_sha256,
                    now=now,
                    sqlite=sqlite,
                )
                for item in batch
            ]
        )

    def _existing(self, keys: list[tuple[int, int, str, int]]) -> set[tuple[int, int, str, int]]:
        """Which of these (office, year, kind, number) are already acts. Plain SQL over a
        VALUES list: compiling an expanding tuple IN of thousands of keys costs more than
        running it."""
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        mark = "(?, ?, ?, ?)" if sqlite else "(%s::integer, %s::integer, %s::text, %s::integer)"
        found: set[tuple[int, int, str, int]] = set()
        conn = self.session.connection()
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start : start + _KEYS_PER_QUERY]
            sql = (
                "SELECT a.office_id, a.year, a.kind, a.number FROM (VALUES "  # noqa: S608
                + ", ".join([mark] * len(chunk))
                + ") AS v JOIN acts AS a ON a.office_id = v.column1 AND a.year = v.column2"
                " AND a.kind = v.column3 AND a.number = v.column4"
            )
            params = tuple(x for key in chunk for x in key)
            found.update(tuple(r) for r in conn.exec_driver_sql(sql, params))
        return found

    def load_prepared(self, items: Sequence[PreparedAct]) -> BulkResult:
        """Insert one batch of prepared acts (the caller commits); see :meth:`load`."""
        result = BulkResult()
        if not items:
            return result
        keys = []
        for item in items:
            office_id = self.offices.get(item.office)
            if office_id is None:
                raise ValueError(f"unknown office {item.office}")
            keys.append((office_id, item.year, item.kind, item.number))
        existing = self._existing(keys)
        kept: list[tuple[PreparedAct, tuple[int, int, str, int]]] = []
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
        rows: list[tuple[Any, ...]] = []
        note_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        top: dict[tuple[int, int, str], int] = {}
        registers = self.registers
        for act_id, (item, (office_id, year, kind, number)) in zip(ids, kept, strict=True):
            reg_key = (office_id, year, kind)
            if top.get(reg_key, 0) < number:
                top[reg_key] = number
            rows.append((act_id, office_id, registers[reg_key][0], *item.values))
            head = (act_id,)
            note_rows += [head + n for n in item.notes]
            event_rows += [head + e for e in item.events]
        _insert_rows(self.session, _ACTS, _ACT_HEAD + ACT_COLUMNS, rows)
        if note_rows:
            _insert_rows(self.session, _NOTES, ("act_id", *NOTE_COLUMNS), note_rows)
        _insert_rows(self.session, _EVENTS, ("act_id", *EVENT_COLUMNS), event_rows)
        changed = []
        for reg_key, number in top.items():
            reg_id, last = self.registers[reg_key]
            if number > last:
                self.registers[reg_key] = (reg_id, number)
                changed.append((number, reg_id))
        if changed:
            # Straight to the driver too: a batch touches hundreds of registers, and
            # SQLAlchemy's per-row parameter handling would cost more than the update.
            mark = "?" if self.session.get_bind().dialect.name == "sqlite" else "%s"
            self.session.connection().exec_driver_sql(
                f"UPDATE registers SET last_number = {mark} WHERE id = {mark}",  # noqa: S608
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
