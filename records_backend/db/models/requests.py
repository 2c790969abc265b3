"""Document requests, their state history, and request-code allocation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from records_backend.db.base import Base
from records_backend.db.types import UTCDateTime


class DocRequest(Base):
    __tablename__ = "doc_requests"
    __table_args__ = (Index("ix_doc_requests_office_state", "pickup_office_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    #: SHA-256 of code + receipt secret: the code alone never opens a request.
    secret_sha256: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    #: Fingerprint of the submitted payload: a key reused for another payload is refused.
    payload_sha256: Mapped[str] = mapped_column(String(64))
    act_id: Mapped[int] = mapped_column(ForeignKey("acts.id"), index=True)
    document: Mapped[str] = mapped_column(String(24))
    copies: Mapped[int] = mapped_column(Integer)
    pickup_office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    channel: Mapped[str] = mapped_column(String(12))
    terminal_id: Mapped[int | None] = mapped_column(ForeignKey("terminals.id"))
    #: Who submitted (``terminal:<id>``, ``user:<name>``): a replay must come from them.
    submitted_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    requester_name: Mapped[str] = mapped_column(String(120))
    requester_relation: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(12))
    fee_due_dirhams: Mapped[int] = mapped_column(Integer)
    fee_collected: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(400))


class RequestEvent(Base):
    """Each transition: from, to, who (user or terminal), when."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("doc_requests.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(400))


class CodeCounter(Base):
    """The next free sequence number of an office's request codes for one year."""

    __tablename__ = "code_counters"

    office_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_sequence: Mapped[int] = mapped_column(Integer, default=1)


class CodeBlock(Base):
    __tablename__ = "code_blocks"
    __table_args__ = (UniqueConstraint("office_code", "year", "first"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), index=True)
    office_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    reserved_at: Mapped[datetime] = mapped_column(UTCDateTime)
