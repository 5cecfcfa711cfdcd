"""Orders the practitioner sent back to their clinician: the open one, and closing it when the
order goes to the practitioner again (in the caller's transaction)."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dme_service.models import Case, OrderReturn, User, utcnow

# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_OPEN = (
    select(OrderReturn)
    .where(OrderReturn.case_id == bindparam("case_id"), OrderReturn.resent_at.is_(None))
    .order_by(OrderReturn.id.desc())
    .limit(1)
)


def open_return(session: Session, case_id: int) -> OrderReturn | None:
    """The practitioner's latest decline or request for changes not answered by a new send."""
    return session.scalars(_OPEN, {"case_id": case_id}).first()


def open_case_ids(session: Session, clinic_id: int) -> set[int]:
    """Ids of the clinic's cases whose order the practitioner sent back, not sent again yet."""
    query = (
        select(OrderReturn.case_id)
        .join(Case, Case.id == OrderReturn.case_id)
        .where(Case.clinic_id == clinic_id, OrderReturn.resent_at.is_(None))
    )
    return set(session.scalars(query))


def latest(session: Session, case_id: int) -> OrderReturn | None:
    """The case's latest return, answered or not."""
    query = select(OrderReturn).where(OrderReturn.case_id == case_id)
    return session.scalars(query.order_by(OrderReturn.id.desc()).limit(1)).first()


def close(session: Session, case: Case, user: User) -> None:
    """The order goes to the practitioner again: an open return is answered by this send."""
    found = open_return(session, case.id)
    if found is not None:
        found.resent_at = utcnow()
        found.resent_by_id = user.id
