"""The audit trail: append-only and hash-chained (security.md LOG-1, LOG-2).

Rows hold surrogate ids only, never names, dates of birth, codes or text. Database triggers
(models/triggers.py) refuse UPDATE and DELETE on both engines, so even a bug or a raw SQL
statement in the app cannot rewrite history; `dme_service.audit` writes and verifies the chain.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dme_service.models.base import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts_utc: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # No foreign keys: the trail must outlive purged patients (RET-1) and stay append-only.
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    request_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)
