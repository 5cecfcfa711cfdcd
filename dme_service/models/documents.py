"""Rendered documents (PDF bytes with their SHA-256) and practitioners' signatures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dme_service.case.signed_facts import LEGACY_SCOPE, SCOPE
from dme_service.models.base import Base, UTCDateTime, created_at_column, fk

DOCUMENT_KINDS = ("lmn", "swo", "instructions", "packet", "summary", "submission", "abn")


class Document(Base):
    """One rendered version of a document; a newer version sets `superseded_at` here."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("case_id", "kind", "lang", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    lang: Mapped[str] = mapped_column(String(8), default="en")
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int] = mapped_column(fk("users.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What it was made from: the case version read for the render, and the SHA-256 of the
    # render's inputs (services/document_freshness.py); NULL on documents stored before both
    # were recorded, which therefore count as made from an older state.
    case_version: Mapped[int | None] = mapped_column(Integer)
    source_sha256: Mapped[str | None] = mapped_column(String(64))


class Signature(Base):
    """A practitioner's signature over the canonical signed content (docs/security.md RET-2)."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    signer_id: Mapped[int] = mapped_column(fk("users.id"), index=True)
    signed_at: Mapped[datetime] = created_at_column()
    credential: Mapped[str] = mapped_column(String(8))
    npi: Mapped[str] = mapped_column(String(10))
    case_version: Mapped[int | None] = mapped_column(Integer)  # the version the signer saw
    # HMAC-SHA-256 of the signed content under key `key_id` (dme_service/integrity_keys.py), so
    # whoever edits the database cannot recompute it; NULL key_id: an unkeyed SHA-256 written
    # before the keys existed (`dme-service db upgrade` re-keys those that still match).
    content_sha256: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))
    document_hashes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the HMAC covers (documents/signed_facts.py): the facts the signed order and letter
    # print; signatures made before that scope existed keep the whole case document.
    content_scope: Mapped[str] = mapped_column(
        String(24), default=SCOPE, server_default=LEGACY_SCOPE
    )
    # The signed facts as they were signed ({"documents": [...], "facts": {...}}), so a later
    # change can be named; the HMAC, recomputed from the case, is what decides validity.
    signed_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    void_reason: Mapped[str | None] = mapped_column(Text)
    # An order amended after its claim went to the payer (OrderAmendment): the signature no
    # longer covers the case but stays valid for the claim billed on it, so it is not voided.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "electronic" (the signer signed here) or "wet" (a scan of the printed order signed in
    # ink, uploaded by `uploaded_by`; `scan_id` is that file).
    method: Mapped[str] = mapped_column(String(12), default="electronic")
    uploaded_by_id: Mapped[int | None] = mapped_column(fk("users.id"))
    scan_id: Mapped[int | None] = mapped_column(fk("signature_scans.id"))

    signer = relationship("User", foreign_keys=[signer_id])
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    scan = relationship("SignatureScan")


class SignatureScan(Base):
    """The scan of an order and letter signed in ink: PDF, PNG or JPEG, with its SHA-256."""

    __tablename__ = "signature_scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(fk("cases.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(fk("users.id"))
    uploaded_at: Mapped[datetime] = created_at_column()
