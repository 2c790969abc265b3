"""Acts, their two keyings, their history, marginal notes and notices between offices."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from records_backend.db.base import Base
from records_backend.db.types import UTCDateTime

_NAME = 80
_TEXT = 120
#: Search keys compare byte by byte (PostgreSQL "C" collation, SQLite's default BINARY), so
#: a prefix is one contiguous range of the index whatever the server's locale.
_KEY = String(_NAME).with_variant(String(_NAME, collation="C"), "postgresql")


class Act(Base):
    """A birth or death act. Columns hold the registered text; it never changes after that."""

    __tablename__ = "acts"
    __table_args__ = (
        UniqueConstraint("office_id", "year", "kind", "number"),
        Index("ix_acts_names_ar", "family_key_ar", "given_key_ar", "event_date"),
        Index("ix_acts_names_lat", "family_key_lat", "given_key_lat", "event_date"),
        # Partial: few acts carry a Tifinagh name, the others need no entry.
        Index(
            "ix_acts_names_tfng",
            "family_key_tfng",
            "given_key_tfng",
            "event_date",
            sqlite_where=text("family_key_tfng IS NOT NULL"),
            postgresql_where=text("family_key_tfng IS NOT NULL"),
        ),
        Index("ix_acts_event_date", "event_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(5))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))

    given_name_ar: Mapped[str] = mapped_column(String(_NAME))
    family_name_ar: Mapped[str] = mapped_column(String(_NAME))
    given_name_lat: Mapped[str] = mapped_column(String(_NAME))
    family_name_lat: Mapped[str] = mapped_column(String(_NAME))
    given_name_tfng: Mapped[str | None] = mapped_column(String(_NAME))
    family_name_tfng: Mapped[str | None] = mapped_column(String(_NAME))
    sex: Mapped[str] = mapped_column(String(1))
    #: Civil date and hour as declared, local, never converted.
    event_date: Mapped[date] = mapped_column(Date)
    #: As written on the act (YYYY-MM-DD); never recomputed.
    event_date_hijri: Mapped[str | None] = mapped_column(String(10))
    event_time: Mapped[time | None] = mapped_column(Time)
    #: The place as written on the act (Arabic); ``_lat`` is its Latin-script form.
    event_place: Mapped[str] = mapped_column(String(_TEXT))
    event_place_lat: Mapped[str | None] = mapped_column(String(_TEXT))

    father_name_ar: Mapped[str | None] = mapped_column(String(_NAME))
    father_name_lat: Mapped[str | None] = mapped_column(String(_NAME))
    father_birth_date: Mapped[date | None] = mapped_column(Date)
    father_birth_place: Mapped[str | None] = mapped_column(String(_TEXT))
    father_birth_place_lat: Mapped[str | None] = mapped_column(String(_TEXT))
    father_occupation: Mapped[str | None] = mapped_column(String(_TEXT))
    father_address: Mapped[str | None] = mapped_column(String(_TEXT))
    mother_name_ar: Mapped[str | None] = mapped_column(String(_NAME))
    mother_name_lat: Mapped[str | None] = mapped_column(String(_NAME))
    mother_birth_date: Mapped[date | None] = mapped_column(Date)
    mother_birth_place: Mapped[str | None] = mapped_column(String(_TEXT))
    mother_birth_place_lat: Mapped[str | None] = mapped_column(String(_TEXT))
    mother_occupation: Mapped[str | None] = mapped_column(String(_TEXT))
    mother_address: Mapped[str | None] = mapped_column(String(_TEXT))
    nationality: Mapped[str] = mapped_column(String(_TEXT))
    declarant_name: Mapped[str | None] = mapped_column(String(_TEXT))
    declarant_relation: Mapped[str | None] = mapped_column(String(_TEXT))
    judgment_court: Mapped[str | None] = mapped_column(String(_TEXT))
    judgment_number: Mapped[str | None] = mapped_column(String(40))
    judgment_date: Mapped[date | None] = mapped_column(Date)
    officer_name: Mapped[str] = mapped_column(String(_TEXT))
    drawn_up_date: Mapped[date] = mapped_column(Date)
    drawn_up_date_hijri: Mapped[str | None] = mapped_column(String(10))
    birth_act_reference: Mapped[str | None] = mapped_column(String(40))
    birth_act_id: Mapped[int | None] = mapped_column(ForeignKey("acts.id"))

    source_kind: Mapped[str] = mapped_column(String(16))
    source_page: Mapped[int | None] = mapped_column(Integer)
    #: SHA-256 of the register page scan, stored content-addressed in the data directory.
    scan_sha256: Mapped[str | None] = mapped_column(String(64))

    # Search keys (see domain.names): derived, indexed, never shown.
    given_key_ar: Mapped[str] = mapped_column(_KEY)
    family_key_ar: Mapped[str] = mapped_column(_KEY)
    given_key_lat: Mapped[str] = mapped_column(_KEY)
    family_key_lat: Mapped[str] = mapped_column(_KEY)
    #: Only for acts that carry a name in Tifinagh.
    given_key_tfng: Mapped[str | None] = mapped_column(_KEY)
    family_key_tfng: Mapped[str | None] = mapped_column(_KEY)
    father_key: Mapped[str | None] = mapped_column(String(2 * _NAME + 1))
    mother_key: Mapped[str | None] = mapped_column(String(2 * _NAME + 1))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActKeying(Base):
    """One officer's keying of an act (round 1, round 2, or a resolution of mismatches)."""

    __tablename__ = "act_keyings"
    __table_args__ = (UniqueConstraint("act_id", "round"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    keyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    keyed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActEvent(Base):
    """The readable history of an act: every step of its life, in order."""

    __tablename__ = "act_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    event: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MarginalNote(Base):
    __tablename__ = "marginal_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    note_date: Mapped[date] = mapped_column(Date)
    authority_kind: Mapped[str] = mapped_column(String(24))
    authority_name: Mapped[str] = mapped_column(String(_TEXT))
    authority_reference: Mapped[str] = mapped_column(String(_TEXT))
    text_ar: Mapped[str] = mapped_column(Text)
    text_fr: Mapped[str] = mapped_column(Text)
    #: Field corrections this note makes (rectifications only).
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OfficeNotice(Base):
    """A message to another office: e.g. a death registered here for a birth act kept there."""

    __tablename__ = "office_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    from_office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(32))
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"))
    target_act_id: Mapped[int | None] = mapped_column(ForeignKey("acts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
