"""What follows every save of a case, in the save's own transaction.

A signature whose signed facts no longer match (case/signed_facts.py: what the signed order
and letter print) is voided with the changes named, its documents superseded, and a claim that
was signed or ready to submit goes back to its practitioner for signature (docs/domain.md §1
step 2); a save that changes no signed fact leaves the signature alone. An eligible draft goes
to its practitioner; a case awaiting signature whose decision became incomplete goes back to
draft. Every case-changing service calls `case_changed` explicitly, and an error in it fails
the save (a signature that should have been voided must never survive quietly).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service.case import signed_facts
from dme_service.models import Case, Signature, User
from dme_service.rules.claim import SIGNED_STATES
from dme_service.services.billing import claim
from dme_service.store import case_versions, order_returns, signatures
from dme_service.store.signed_content import changed_facts, check_signature, current_signature

CHANGED_AFTER_SIGNING = "the case was changed after signing"


def case_changed(session: Session, case: Case, user: User) -> Signature | None:
    """Void a stale signature and route the claim; returns the voided signature, if any.

    The caller commits.
    """
    session.flush()
    session.expire(case)  # read the saved rows, not what the caller's objects remember
    voided = None
    signature = current_signature(session, case.id)
    if signature is not None and not check_signature(session, case).valid:
        reason = void_reason(signature, case)
        signatures.void(session, case, signature, user, reason)
        voided = signature
        if case.billing_state in SIGNED_STATES:
            claim.record_move(
                session, case, "awaiting_signature", user, note=f"Signature voided: {reason}."
            )
    if order_returns.open_return(session, case.id) is None:
        # A returned order goes back only when its clinician sends it again, with the changes.
        claim.route_for_signature(session, case, user)
    case_versions.record(session, case, user)
    return voided


def void_reason(signature: Signature, case: Case) -> str:
    """Why the signature no longer covers the case, naming the signed facts that changed."""
    found = changed_facts(signature, case)
    if not found:
        return CHANGED_AFTER_SIGNING
    return f"{CHANGED_AFTER_SIGNING}: {signed_facts.summary(found)}"
