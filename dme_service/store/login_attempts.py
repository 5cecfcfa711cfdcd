"""Tries counted in the database (LoginAttempt), so every worker counts the same.

Sign-in (services.accounts.throttle, docs/security.md AUTH-5) and the patient's private link
(services.patient.links, AUTH-7) each name their own keys, window and limit; this module only
counts and says how long a key waits. Rows older than a day are deleted as new tries arrive.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dme_service.models import LoginAttempt

KEEP = timedelta(days=1)  # longer than any window that reads them


def retry_after(
    session: Session, key: str, now: datetime, *, window: timedelta, limit: int
) -> int | None:
    """Seconds until `key` may try again, or None when it is not paused: `limit` failures
    within `window` pause it until the oldest of them is `window` old."""
    recent = session.scalars(
        select(LoginAttempt.at)
        .where(LoginAttempt.key == key, LoginAttempt.success.is_(False))
        .where(LoginAttempt.at > now - window)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    return max(1, math.ceil((recent[-1] + window - now).total_seconds()))


def count(session: Session, keys: list[str], *, success: bool, now: datetime) -> None:
    """Count one try against every key; the caller commits."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    for key in keys:
        session.add(LoginAttempt(key=key, at=now, success=success))
