"""The clinic's users as an admin manages them, and ending a user's sessions (AUTH-1)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.db import unit_of_work
from dme_service.models import User, UserSession
from dme_service.services.accounts import api_tokens
from dme_service.services.errors import Refusal


class UserNotFound(LookupError):
    """No such user in the admin's clinic (other clinics' users do not exist here: AC-2)."""


class OwnAccount(Refusal):
    """An admin cannot lock the clinic out by deactivating themselves."""


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


def deactivate(session: Session, admin: User, user_id: int) -> User:
    """Deactivate a user of the admin's clinic: every session and API token of theirs ends."""
    with unit_of_work(session):
        user = session.get(User, user_id)
        if user is None or user.clinic_id != admin.clinic_id:
            raise UserNotFound(user_id)
        if user.id == admin.id:
            raise OwnAccount("You cannot deactivate your own account, so nothing was changed.")
        user.active = False
        end_sessions(session, user.id)
        api_tokens.revoke(session, user=user)
        audit.record(
            session, user=admin, action="user.deactivate", object_type="user", object_id=user.id
        )
    return user
