"""The audit trail: append-only, keyed and sealed (docs/security.md LOG-1, LOG-2).

Rows hold surrogate ids only, never names, dates of birth, codes or text. Database triggers
(models/triggers.py) refuse UPDATE and DELETE on both engines, so even a bug or a raw SQL
statement in the app cannot rewrite history. Each row carries an HMAC under a key kept outside
the database, and seals chain the rows in id order in batches; `dme_service.audit` writes and
verifies both (docs/performance.md explains why rows no longer chain one by one).
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
    # Rows written before the keys existed (key_id NULL) chain by unkeyed SHA-256: prev_hash is
    # the previous row's hash. Keyed rows: prev_hash is a random nonce (two identical events
    # never share a MAC) and row_hash the HMAC-SHA-256 under key `key_id`.
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditSeal(Base):
    """One batch of audit rows sealed in id order: every row after the previous seal's
    `last_event_id` up to this one's, their count and the SHA-256 of their ids and hashes,
    chained to the previous seal and keyed (HMAC under `key_id`). A deleted, inserted or
    re-hashed row inside a sealed range changes the digest; only the key can re-seal."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, unique=True)
    row_count: Mapped[int] = mapped_column(Integer)
    events_sha256: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    prev_mac: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    seal_mac: Mapped[str] = mapped_column(String(64), unique=True)
