"""CDS Hooks calls: the token ids (`jti`) already used, so no EHR token is accepted twice.

Kept in the database so every worker and node refuses the same replay. Only the SHA-256 of
issuer and jti is stored; rows are useless once `expires_at` has passed (the token's own
expiry refuses it then) and are deleted as new calls arrive.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dme_service.models.base import Base, UTCDateTime, utcnow


class UsedHookToken(Base):
    """One accepted CDS Hooks JWT: SHA-256 of `iss` and `jti`, and when the token expires."""

    __tablename__ = "used_hook_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
