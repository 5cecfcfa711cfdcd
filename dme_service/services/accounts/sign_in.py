"""Signing in and proving it is still you: passwords and admin TOTP codes, each attempt
counted by the throttle (security.md AUTH-4, AUTH-5) and audited (LOG-1). Each function commits.

The session row a sign-in starts is services.accounts.session_rows'; its cookie is the web
layer's (web/security/sessions.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.db import unit_of_work
from dme_service.models import User, UserSession
from dme_service.services.accounts import api_tokens, throttle
from dme_service.services.accounts import passwords as accounts

# Verified when the e-mail is unknown, so both answers take the same ~85 ms (AUTH-5).
_DUMMY_HASH = accounts.hash_password("not a password anyone has: timing only")


class Throttled(Exception):
    """Too many failed attempts from this address or for this account (AUTH-4): a 429."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"throttled for {retry_after} s")
        self.retry_after = retry_after


def refuse_when_throttled(session: Session, keys: list[str]) -> None:
    """Throttled while these throttle keys are locked out."""
    wait = throttle.retry_after(session, keys)
    if wait is not None:
        raise Throttled(wait)


def check_credentials(session: Session, email: str, password: str, address: str | None):
    """The active user with this e-mail and password, or None; the attempt is counted and,
    for a real account, audited good or bad."""
    keys = throttle.keys_for(address, email)
    refuse_when_throttled(session, keys)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    stored = user.password_hash if user is not None else _DUMMY_HASH
    # End the read before argon2 (about 0.3 s of CPU by design): on SQLite every transaction
    # holds the write lock, so hashing inside one stalled every other request (make load).
    session.commit()
    ok = accounts.verify_password(stored, password) and user is not None and user.active
    with unit_of_work(session):
        throttle.record(session, keys, success=ok)
        if ok and accounts.check_needs_rehash(user.password_hash):
            user.password_hash = accounts.hash_password(password)  # a weaker hash upgraded
        if user is not None:
            _audit(session, user, "session.login", ok)
    return user if ok else None


def active_user(session: Session, user_id) -> User | None:
    """The active user with this id (a pending sign-in step names one), else None."""
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    return user if user is not None and user.active else None


def password_matches(session: Session, user: User, password: str, address: str | None) -> bool:
    """The signed-in user's password, throttled like sign-in (guessing it is as bad)."""
    keys = throttle.keys_for(address, user.email)
    refuse_when_throttled(session, keys)
    session.commit()  # never hash inside a transaction (see check_credentials)
    ok = accounts.verify_password(user.password_hash, password)
    with unit_of_work(session):
        throttle.record(session, keys, success=ok)
    return ok


def code_checked(session: Session, user: User, accepted: bool, action: str, address) -> None:
    """Count a TOTP code attempt like a password attempt (AUTH-5) and audit it."""
    with unit_of_work(session):
        throttle.record(session, throttle.keys_for(address, user.email), success=accepted)
        _audit(session, user, action, accepted)


def change_password(session: Session, user: User, new_password: str) -> None:
    """The new password; API tokens end with the password they were issued under (AUTH-1)."""
    with unit_of_work(session):
        user.password_hash = accounts.hash_password(new_password)
        user.password_changed_at = datetime.now(UTC)
        api_tokens.revoke(session, user=user)
        _audit(session, user, "user.password_change", True)


def signed_out(session: Session, user: User, row: UserSession | None) -> None:
    """Sign out: the session row is deleted (a copied cookie stops working) and audited."""
    with unit_of_work(session):
        if row is not None:
            session.delete(row)
        _audit(session, user, "session.logout", True)


def _audit(session: Session, user: User, action: str, ok: bool) -> None:
    audit.record(
        session,
        user=user,
        action=action,
        object_type="user",
        object_id=user.id,
        outcome="ok" if ok else "refused",
    )
