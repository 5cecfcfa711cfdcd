"""One-time set-password links: how an invited user (or one who forgot) sets a password.

A link carries a 256-bit random token; only its SHA-256 is stored, like a patient link's
(security.md AUTH-7). It works once and for 72 hours; a newer link for the same user ends the
older ones. An unknown, used and expired token are all the same "no longer works" answer, so
the page tells a guesser nothing. The new password obeys the sign-in rules (AUTH-4).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import PasswordLink, User, UserSession, utcnow
from dme_service.services.accounts import passwords as accounts

TOKEN_BYTES = 32  # 256 bits
LIFETIME = timedelta(hours=72)
PATH = "/set-password/"


class LinkGone(Exception):
    """Unknown, used or expired: the same answer for all three."""


class PasswordRefused(Exception):
    """The new password breaks a rule; `problems` in words the user can act on."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class IssuedLink:
    user: User
    url: str
    expires_at: datetime


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def link_url(base_url: str, raw: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}{raw}"


def issue(
    session: Session, user: User, base_url: str, *, by: User | None = None, now=None
) -> IssuedLink:
    """A new link for `user` (older unused ones end); in the caller's transaction."""
    now = now or utcnow()
    end_links(session, user, now)
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    row = PasswordLink(
        user_id=user.id,
        token_hash=token_hash(raw),
        created_at=now,
        created_by_id=by.id if by is not None else None,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, user=by, action="user.password_link", object_type="user", object_id=user.id
    )
    return IssuedLink(user, link_url(base_url, raw), row.expires_at)


def end_links(session: Session, user: User, now=None) -> None:
    """Every unused link of the user stops working (in the caller's transaction)."""
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now or utcnow())
    )


def live_link(session: Session, raw: str, now=None) -> PasswordLink | None:
    """The link for this token while it still works, else None (unknown, used or expired)."""
    if not raw or len(raw) > 100:
        return None
    row = session.scalar(select(PasswordLink).where(PasswordLink.token_hash == token_hash(raw)))
    now = now or utcnow()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    if not row.user.active:
        return None
    return row


def user_for(session: Session, raw: str) -> User:
    """Who the link is for (the page greets them), or LinkGone. Ends the read transaction."""
    row = live_link(session, raw)
    session.commit()
    if row is None:
        raise LinkGone()
    return row.user


def set_password(session: Session, raw: str, password: str, again: str) -> User:
    """Use the link: check the password, store its hash, end the user's sessions. Commits."""
    try:
        row = live_link(session, raw)
        if row is None:
            raise LinkGone()
        user = row.user
        if password != again:
            raise PasswordRefused(["The two passwords differ. Type the same password twice."])
        problems = accounts.password_problems(password, email=user.email)
        if problems:
            raise PasswordRefused(problems)
        now = utcnow()
        row.used_at = now
        user.password_hash = accounts.hash_password(password)
        user.password_changed_at = now
        # AUTH-1: a password change ends every session of the user.
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        audit.record(
            session, user=user, action="user.password_set", object_type="user", object_id=user.id
        )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return user
