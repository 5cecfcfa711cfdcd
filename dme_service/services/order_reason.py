"""The clinician's written reason for ordering against the payer's criteria.

A `not_eligible` or `not_covered` case goes to the treating practitioner only when a person
sends it with a note (services/readiness.signature_route_problems); that note is the reason the
order prints on every page (documents/availability.py). An eligible case routed by
itself carries no reason.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import Case
from dme_service.models.billing import BillingEvent
from dme_service.store import unit_memo

# The note services/billing.route_for_signature writes for an eligible case: not a reason.
AUTOMATIC_NOTE = "Eligible: sent for signature."


def order_reason(session: Session, case: Case) -> str | None:
    """The note of the case's latest move to awaiting signature, while it still stands."""
    if case.billing_state == "draft":
        return None
    # Read once per unit of work: the case page's documents card asks twice.
    note = unit_memo.remembered(session, ("order_reason", case.id), lambda: _note(session, case))
    note = (note or "").strip()
    return note if note and note != AUTOMATIC_NOTE else None


def _note(session: Session, case: Case) -> str | None:
    return session.scalar(
        select(BillingEvent.note)
        .where(BillingEvent.case_id == case.id, BillingEvent.to_state == "awaiting_signature")
        .order_by(BillingEvent.id.desc())
        .limit(1)
    )
