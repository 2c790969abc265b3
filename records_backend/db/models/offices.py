"""Offices and their registers."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from records_backend.db.base import Base


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name_ar: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    central: Mapped[bool] = mapped_column(Boolean, default=False)


class Register(Base):
    """One paper (or digital) register: an office's births or deaths of one year."""

    __tablename__ = "registers"
    __table_args__ = (UniqueConstraint("office_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(5))
    #: Highest act number used so far (born-digital acts take the next one).
    last_number: Mapped[int] = mapped_column(Integer, default=0)
