"""Login throttling kept in the database, so every gunicorn worker counts the same (AUTH-5).

10 failed attempts within 15 minutes, counted per client IP and per e-mail address (stored as
its SHA-256, never in clear), pause sign-in for that key until the oldest of them is 15 minutes
old. While paused even the right password is refused, so guessing gains nothing.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dme_service.models import LoginAttempt

WINDOW = timedelta(minutes=15)
LIMIT = 10  # failures per key within WINDOW (ASVS 2.2.1)
KEEP = timedelta(days=1)  # rows older than this are deleted as new attempts arrive


def keys_for(ip: str | None, email: str) -> list[str]:
    """The counters an attempt touches: the client IP and the (hashed) account name."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return [f"ip:{ip or 'unknown'}", f"user:{digest}"]


def retry_after(session: Session, keys: list[str], now: datetime | None = None) -> int | None:
    """Seconds until a paused key may try again, or None when none is paused."""
    now = now or datetime.now(UTC)
    waits = []
    for key in keys:
        recent = session.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.key == key, LoginAttempt.success.is_(False))
            .where(LoginAttempt.at > now - WINDOW)
            .order_by(LoginAttempt.at.desc())
            .limit(LIMIT)
        ).all()
        if len(recent) >= LIMIT:
            waits.append(max(1, math.ceil((recent[-1] + WINDOW - now).total_seconds())))
    return max(waits) if waits else None


def record(session: Session, keys: list[str], *, success: bool, now: datetime | None = None):
    """Count one attempt against every key; the caller commits."""
    now = now or datetime.now(UTC)
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    for key in keys:
        session.add(LoginAttempt(key=key, at=now, success=success))
