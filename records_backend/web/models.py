"""Tables the staff pages keep beside the registry's own (their own metadata).

They name users and requests by id without foreign keys so they can be created on any
database whatever its migration state; an Alembic migration can adopt them later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Engine, Integer, LargeBinary, MetaData, String
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from records_backend.db.types import UTCDateTime


class WebBase(DeclarativeBase):
    metadata = MetaData()


class StaffSecurity(WebBase):
    """Per account: must the password change at next login, and the TOTP secret."""

    __tablename__ = "web_staff_security"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)


class IssuedDocument(WebBase):
    """The PDF printed for a request, kept so a reprint shows the same serial."""

    __tablename__ = "web_issued_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, index=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    short_code: Mapped[str] = mapped_column(String(32))
    qr_text: Mapped[str] = mapped_column(String(400))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_by_id: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Collection(WebBase):
    """A document handed over at a counter: who checked which ID, and the duty collected."""

    __tablename__ = "web_collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, unique=True)
    office_id: Mapped[int] = mapped_column(Integer, index=True)
    counter: Mapped[str] = mapped_column(String(16))
    clerk_id: Mapped[int | None] = mapped_column(Integer)
    id_document_number: Mapped[str] = mapped_column(String(24))
    fee_dirhams: Mapped[int] = mapped_column(Integer)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def create_tables(engine: Engine) -> None:
    try:
        WebBase.metadata.create_all(engine)
    except DBAPIError:
        # Several workers starting together: another one created them between our check
        # and our CREATE. A second pass finds them all.
        WebBase.metadata.create_all(engine)
