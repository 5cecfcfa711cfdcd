"""Server-side session rows (docs/security.md AUTH-1..AUTH-3, AUTH-6): found by the SHA-256 of
the cookie's token, ended when idle or too old, started at sign-in, marked fresh when the
password is typed again. Every function that reads or changes a row ends its transaction, so
the lookup never holds SQLite's write lock while the view runs.

The cookie, its CSRF secret and Flask's session interface are the web layer's
(web/security/sessions.py); this module owns the rows and their transactions.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dme_service.db import unit_of_work
from dme_service.models import User, UserSession

IDLE_TIMEOUT = timedelta(minutes=15)  # AUTH-3; HIPAA 164.312(a)(2)(iii) automatic logoff
ABSOLUTE_TIMEOUT = timedelta(hours=12)  # AUTH-3; ASVS 3.3.2
FRESH_LOGIN = timedelta(minutes=5)  # AUTH-6 step-up window
# last_seen is written at most once a minute (one write per request would serialize every
# request on SQLite); a session therefore ends between 14 and 15 minutes idle, never later.
LAST_SEEN_STEP = timedelta(seconds=60)

Row = UserSession  # the type the web layer holds for a signed-in request


def now() -> datetime:
    return datetime.now(UTC)


def token_digest(token: str) -> str:
    """The row id for a cookie token: SHA-256 hex, so a copy of the table is no cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Opened:
    """What a cookie's token found: a live row, or why its session just ended."""

    row: UserSession | None = None
    ended_reason: str | None = None  # "idle", "absolute" or "inactive"
    ended_user_id: int | None = None


def open_row(session: Session, token: str) -> Opened:
    """The live row for the cookie's token; an expired row, or one whose user is no longer
    active, is deleted. Commits (expire_on_commit=False keeps row and user loaded)."""
    # populate_existing: a reused Session (tests) must see revocations made by other requests.
    row = session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user).joinedload(User.clinic))
        .where(UserSession.id == token_digest(token))
        .execution_options(populate_existing=True)
    )
    if row is None:
        session.commit()
        return Opened()
    moment = now()
    reason = _expiry_reason(row, moment)
    if reason is None and not (row.user and row.user.active):
        reason = "inactive"
    with unit_of_work(session):
        if reason is not None:
            session.delete(row)
        elif moment - row.last_seen_at >= LAST_SEEN_STEP:
            row.last_seen_at = moment
            row.data = stored_values(row)
    if reason is not None:
        return Opened(ended_reason=reason, ended_user_id=row.user_id)
    return Opened(row=row)


def _expiry_reason(row: UserSession, moment: datetime) -> str | None:
    if moment - row.created_at > ABSOLUTE_TIMEOUT:
        return "absolute"
    if moment - row.last_seen_at > IDLE_TIMEOUT:
        return "idle"
    return None


def begin(session: Session, user: User, replacing: UserSession | None) -> tuple[str, UserSession]:
    """Sign `user` in: a brand-new token and row (never the pre-login id), fresh for step-up;
    the row it replaces is deleted. Commits; returns the token for the cookie and the row."""
    token = secrets.token_urlsafe(32)
    moment = now()
    row = UserSession(
        id=token_digest(token), user_id=user.id, created_at=moment, last_seen_at=moment
    )
    row.user, row.fresh_at = user, moment
    row.data = stored_values(row)
    with unit_of_work(session):
        if replacing is not None:
            session.delete(replacing)
        session.add(row)
    return token, row


def mark_fresh(session: Session, row: UserSession) -> None:
    """The user just typed their password: a new step-up window from now (AUTH-6). Commits."""
    with unit_of_work(session):
        row.fresh_at = now()
        row.data = stored_values(row)


def is_fresh(row: UserSession | None, max_age: timedelta = FRESH_LOGIN) -> bool:
    """True when the password was typed within max_age in this session."""
    if row is None or row.fresh_at is None:
        return False
    return now() - row.fresh_at <= max_age


def stored_values(row: UserSession) -> dict:
    """The allow-listed values a session keeps (AUTH-2), as kept in UserSession.data."""
    values = {
        "user_id": row.user_id,
        "role": row.user.role,
        "created": row.created_at.isoformat(),
        "last_seen": row.last_seen_at.isoformat(),
    }
    if row.fresh_at is not None:
        values["fresh_until"] = (row.fresh_at + FRESH_LOGIN).isoformat()
    return values
