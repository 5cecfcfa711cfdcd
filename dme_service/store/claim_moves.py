"""Writing one move of a case's claim state: the state, its BillingEvent and the audit row.

The caller has decided that the move is legal (services.billing.claim checks people's moves;
the signing service makes the "signed" move itself) and commits. Kept below the services so
that signing, which every feature reaches, records its move without depending on billing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.models import BillingEvent, Case, User
from dme_service.rules.claim import is_legal


def write_move(
    session: Session,
    case: Case,
    to_state: str,
    user: User,
    *,
    carc=(),
    rarc=(),
    note: str | None = None,
    delivery: dict | None = None,
) -> BillingEvent:
    """Move the claim and record it, in the caller's transaction; ValueError for a move that
    is not an edge of the claim's state machine (a bug, never a person's input)."""
    if not is_legal(case.billing_state, to_state):
        raise ValueError(f"no claim move from {case.billing_state} to {to_state}")
    event = BillingEvent(
        case_id=case.id,
        from_state=case.billing_state,
        to_state=to_state,
        user_id=user.id,
        carc_codes=list(carc),
        rarc_codes=list(rarc),
        note=note,
        delivery=delivery,
    )
    case.billing_state = to_state
    case.updated_by_id = user.id
    session.add(event)
    session.flush()  # bumps case.version: a form made on the old version is now stale
    audit.case_event(session, user, f"billing.{to_state}", case)
    return event
