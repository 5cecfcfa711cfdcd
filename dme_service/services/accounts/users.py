"""The clinic's users as the admin's home page lists them, and ending a user's sessions (AUTH-1)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dme_service.models import User, UserSession


def clinic_users(session: Session, admin: User) -> list[User]:
    """The admin's clinic's users, active first, by name."""
    query = (
        select(User)
        .where(User.clinic_id == admin.clinic_id)
        .order_by(User.active.desc(), User.name)
    )
    return list(session.scalars(query))


def end_sessions(session: Session, user_id: int, *, except_id: int | None = None) -> int:
    """Delete every server-side session of a user (but `except_id`); returns how many.

    In the caller's transaction: a copied cookie of theirs stops working once it commits."""
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if except_id is not None:
        statement = statement.where(UserSession.id != except_id)
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return result.rowcount or 0
