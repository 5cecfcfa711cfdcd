"""A case's saved versions and the orders its practitioner sent back.

CaseVersion keeps the dme-case/1 document as each save left it, with who saved it and when,
so the re-sign page can say field by field what changed since the practitioner's signature and
who changed it. OrderReturn is a practitioner's "decline" or "ask for changes" with the note
the clinician reads at the top of the case; it stays open until the order is sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dme_service.models.base import Base, UTCDateTime, created_at_column, fk


class CaseVersion(Base):
    """The case document as one save left it (only saves that changed it are kept)."""

    __tablename__ = "case_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    case_version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by_id: Mapped[int] = mapped_column(fk("users.id"))
    saved_at: Mapped[datetime] = created_at_column()

    saved_by = relationship("User", foreign_keys=[saved_by_id])


RETURN_KINDS = ("declined", "changes")


class OrderReturn(Base):
    """The practitioner sent the order back to the clinician who wrote it, with a note."""

    __tablename__ = "order_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # RETURN_KINDS
    # Clinical free text: shown to the clinical team only, never to billing nor in audit rows.
    note: Mapped[str] = mapped_column(Text)
    practitioner_id: Mapped[int] = mapped_column(fk("users.id"))
    case_version: Mapped[int] = mapped_column(Integer)  # the version the practitioner saw
    returned_at: Mapped[datetime] = created_at_column()
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resent_by_id: Mapped[int | None] = mapped_column(fk("users.id"))

    practitioner = relationship("User", foreign_keys=[practitioner_id])
    resent_by = relationship("User", foreign_keys=[resent_by_id])
