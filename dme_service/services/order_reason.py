"""The clinician's written reason for ordering against the payer's criteria.

A `not_eligible` or `not_covered` case goes to the treating practitioner only when a person
sends it with a note (services/readiness.signature_route_problems); that note is the reason the
order prints on every page (documents/availability.py). An eligible case routed by
itself carries no reason.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service.models import Case
from dme_service.store import billing_events

# The note services/billing.route_for_signature writes for an eligible case: not a reason.
AUTOMATIC_NOTE = "Eligible: sent for signature."


def order_reason(session: Session, case: Case) -> str | None:
    """The note of the case's latest move to awaiting signature, while it still stands."""
    if case.billing_state == "draft":
        return None
    # The case's moves are read once per unit of work: the documents card asks twice, and the
    # packet's checklist reads the same rows.
    note = billing_events.latest_note_to(session, case.id, "awaiting_signature")
    note = (note or "").strip()
    return note if note and note != AUTOMATIC_NOTE else None
