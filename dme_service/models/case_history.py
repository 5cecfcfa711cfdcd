"""A case's saved versions, the orders its practitioner sent back and its amended orders.

CaseVersion keeps the dme-case/1 document as each save left it, with who saved it and when,
so the re-sign page can say field by field what changed since the practitioner's signature and
who changed it. OrderReturn is a practitioner's "decline" or "ask for changes" with the note
the clinician reads at the top of the case; it stays open until the order is sent again.
OrderAmendment is a new order version made after the claim went to the payer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text
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


class OrderAmendment(Base):
    """A new order version made after the claim went to the payer, for a corrected claim.

    The signature the original claim was billed on is kept, superseded (never voided: the
    payer judged a claim made from it); the amended order waits for a new signature and the
    claim's next 837P is a replacement (frequency code 7) naming the payer's claim control
    number of the original claim (CLP07 of its 835).
    """

    __tablename__ = "order_amendments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    order_version: Mapped[int] = mapped_column(Integer)  # 2 for the first amendment
    # Clinical free text: shown to the clinical team, never to billing nor in audit rows.
    reason: Mapped[str] = mapped_column(Text)
    amended_by_id: Mapped[int] = mapped_column(fk("users.id"))
    amended_at: Mapped[datetime] = created_at_column()
    # The signature the original claim was made on (superseded, kept).
    signature_id: Mapped[int | None] = mapped_column(fk("signatures.id"))
    claim_state: Mapped[str] = mapped_column(String(20))  # the claim's state when amended
    # {"billed", "paid", "submitted_on", "remitted_on", "icn"} of the original claim.
    original_claim: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))  # REF*F8
    corrected_file_id: Mapped[int | None] = mapped_column(fk("claim_files.id"))
    corrected_sent_on: Mapped[date | None] = mapped_column(Date)

    amended_by = relationship("User", foreign_keys=[amended_by_id])
    signature = relationship("Signature")
