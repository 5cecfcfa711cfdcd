"""CDS Hooks calls: the token ids (`jti`) already used, so no EHR token is accepted twice.

Kept in the database so every worker and node refuses the same replay and counts the same
calls per EHR. Only SHA-256 digests of issuer and jti are stored; rows are useless once
`expires_at` has passed (the token's own expiry refuses it then) and are deleted as new calls
arrive.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dme_service.models.base import Base, UTCDateTime, utcnow


class UsedHookToken(Base):
    """One accepted CDS Hooks JWT: SHA-256 of `iss` and `jti`, and when the token expires."""

    __tablename__ = "used_hook_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the issuer: counts each EHR's calls per minute (services/cds_hooks.py).
    issuer_digest: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (Index("ix_used_hook_tokens_issuer_used", "issuer_digest", "used_at"),)
