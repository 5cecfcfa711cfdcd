"""The case lists of the home pages: my cases (billing's home is its queue). Each is a
read of patient names, so `list_read` audits it (security.md LOG-1)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from dme_service import audit
from dme_service.db import unit_of_work
from dme_service.models import Case, User


def _cases(session: Session, user: User, limit: int, *conditions) -> list[Case]:
    """Cases of the user's clinic matching conditions, newest change first (AC-2 scoping)."""
    query = (
        select(Case)
        .options(joinedload(Case.patient))
        .where(Case.clinic_id == user.clinic_id, *conditions)
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def authored(session: Session, user: User, limit: int) -> list[Case]:
    """The cases this clinician wrote."""
    return _cases(session, user, limit, Case.author_id == user.id)


def list_read(session: Session, user: User) -> None:
    """Audit that a list of cases (patient names) was shown."""
    with unit_of_work(session):
        audit.record(
            session, user=user, action="home.list", object_type="case_list", object_id=None
        )
