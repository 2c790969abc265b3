"""Tables of the staff pages: account security (password change, TOTP), issued documents,
hand-overs at the counter. They live in the registry's database and its migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from records_backend.db.base import Base
from records_backend.db.types import UTCDateTime


class StaffSecurity(Base):
    """Per account: must the password change at next login, and the TOTP secret."""

    __tablename__ = "web_staff_security"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id"), primary_key=True, autoincrement=False
    )
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)


class IssuedDocument(Base):
    """The PDF printed for a request, kept so a reprint shows the same serial."""

    __tablename__ = "web_issued_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("doc_requests.id"), index=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    short_code: Mapped[str] = mapped_column(String(32))
    qr_text: Mapped[str] = mapped_column(String(400))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Collection(Base):
    """A document handed over at a counter: who checked which ID, and the duty collected."""

    __tablename__ = "web_collections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("doc_requests.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    counter: Mapped[str] = mapped_column(String(16))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    id_document_number: Mapped[str] = mapped_column(String(24))
    fee_dirhams: Mapped[int] = mapped_column(Integer)
    collected_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
