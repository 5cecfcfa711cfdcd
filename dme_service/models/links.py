"""Idempotency keys for create forms, patient links and the patient's home log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dme_service.models.base import Base, UTCDateTime, created_at_column, fk


class IdempotencyKey(Base):
    """A create request already handled: a repeat redirects to the same object (DB-4)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(fk("users.id"))
    key: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()


class PatientLink(Base):
    """A link that lets a patient open their instructions until it expires; token hashed."""

    __tablename__ = "patient_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    lang: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int] = mapped_column(fk("users.id"))
    # "Close" on a patient page: cookies issued up to this moment stop working, copies included.
    sessions_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HomeLogEntry(Base):
    """One home traction session the patient logged through their link.

    A red-flag entry stays open until a clinician reviews it (services/patient/red_flags.py):
    one review per entry, so a red flag logged after a review is a new, open entry.
    """

    __tablename__ = "home_log_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    link_id: Mapped[int] = mapped_column(fk("patient_links.id"), index=True)
    date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[float | None] = mapped_column(Float)
    force_lb: Mapped[float | None] = mapped_column(Float)
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    red_flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = created_at_column()
    # A clinician's review of a red flag; the service sets all three together (None: open).
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(fk("users.id"))
    review_note: Mapped[str | None] = mapped_column(Text)  # what was done; never audited
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
