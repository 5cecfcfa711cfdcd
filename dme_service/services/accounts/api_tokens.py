"""API bearer tokens: created once, shown once, stored only as SHA-256 (docs/security.md OUT-3).

A token is for scripts calling /api/; it carries its user's role and never a browser session,
so bearer calls need no CSRF token. Revoking is immediate: every call looks the hash up.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import ApiToken, User

PREFIX = "dme_"  # recognisable in a leaked config file or a secret scanner's rules
# last_used_at is informational: written at most once a minute per token.
LAST_USED_STEP = timedelta(seconds=60)
# A token works for 90 days from its creation, so a leaked one does not work forever;
# `token create` issues a new one.
# Changing the password revokes the user's tokens too (web/auth.password).
LIFETIME = timedelta(days=90)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`: the row (to commit) and the raw token (to show once, never kept)."""
    raw = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(raw))
    session.add(row)
    return row, raw


def authenticate(session: Session, raw: str) -> User | None:
    """The active user owning a live token, or None (unknown, revoked, expired, or user
    deactivated).

    Always ends its transaction before returning (on SQLite the lookup opens
    BEGIN IMMEDIATE, and leaving it open held the database's write lock for the whole bearer
    request, so one slow API call made every other write wait and fail with 503). The session
    keeps the loaded rows (expire_on_commit=False), as web/sessions._attach_row does.
    """
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    try:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
        moment = datetime.now(UTC)
        if row is None or not _live(row, moment):
            return None
        user = row.user
        if row.last_used_at is None or moment - row.last_used_at >= LAST_USED_STEP:
            row.last_used_at = moment
        session.commit()
        return user
    finally:
        if session.in_transaction():
            session.rollback()


def _live(row: ApiToken, moment: datetime) -> bool:
    if row.revoked_at is not None or not row.user.active:
        return False
    return moment - row.created_at < LIFETIME


def revoke(session: Session, *, token_id: int | None = None, user: User | None = None) -> int:
    """Revoke one token by id, or every live token of a user; returns how many. Caller commits."""
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    if token_id is None and user is None:
        raise ValueError("name a token id or a user")
    rows = session.scalars(query).all()
    moment = datetime.now(UTC)
    for row in rows:
        row.revoked_at = moment
    return len(rows)
