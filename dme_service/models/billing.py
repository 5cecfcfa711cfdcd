"""Billing: every state transition of a case's claim, with payer adjustment codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dme_service.models.base import Base, UTCDateTime, fk, utcnow


class BillingEvent(Base):
    """One transition from_state -> to_state; CARC/RARC codes come from the payer's remittance."""

    __tablename__ = "billing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int] = mapped_column(fk("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    carc_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    rarc_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # date, method, received_by


class ChecklistReview(Base):
    """Billing's review of a readiness item that needs a person (Excludes1, same-or-similar).

    `content_sha256` is the signed-content hash of the case when reviewed: a review counts only
    while the case still says what the reviewer saw (services/billing/readiness.py).
    """

    __tablename__ = "checklist_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    content_sha256: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(fk("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
