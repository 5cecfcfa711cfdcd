"""Login throttling kept in the database, so every gunicorn worker counts the same (AUTH-5).

10 failed attempts within 15 minutes, counted per client IP and per e-mail address (stored as
its SHA-256, never in clear), pause sign-in for that key until the oldest of them is 15 minutes
old. While paused even the right password is refused, so guessing gains nothing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from dme_service.store import login_attempts

WINDOW = timedelta(minutes=15)
LIMIT = 10  # failures per key within WINDOW (ASVS 2.2.1)


def keys_for(ip: str | None, email: str) -> list[str]:
    """The counters an attempt touches: the client IP and the (hashed) account name."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return [f"ip:{ip or 'unknown'}", f"user:{digest}"]


def retry_after(session: Session, keys: list[str], now: datetime | None = None) -> int | None:
    """Seconds until a paused key may try again, or None when none is paused."""
    now = now or datetime.now(UTC)
    waits = [
        login_attempts.retry_after(session, key, now, window=WINDOW, limit=LIMIT) for key in keys
    ]
    return max((wait for wait in waits if wait is not None), default=None)


def record(session: Session, keys: list[str], *, success: bool, now: datetime | None = None):
    """Count one attempt against every key; the caller commits."""
    login_attempts.count(session, keys, success=success, now=now or datetime.now(UTC))
