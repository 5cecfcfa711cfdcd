"""What follows every save of a case, in the save's own transaction.

A signature whose content no longer matches is voided, its documents superseded, and a claim
that was ready to submit goes back for signature (docs/domain.md §1 step 2: any change after
signing voids the signature); an eligible draft goes to its practitioner; a case awaiting
signature whose decision became incomplete goes back to draft. Every case-changing service
calls `case_changed` explicitly, and an error in it fails the save (a signature that should
have been voided must never survive quietly).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dme_service.models import Case, Signature, User
from dme_service.services.billing import claim
from dme_service.store import case_versions, order_returns, signatures
from dme_service.store.signed_content import check_signature, current_signature


def case_changed(session: Session, case: Case, user: User) -> Signature | None:
    """Void a stale signature and route the claim; returns the voided signature, if any.

    The caller commits.
    """
    session.flush()
    session.expire(case)  # read the saved rows, not what the caller's objects remember
    voided = None
    signature = current_signature(session, case.id)
    if signature is not None and not check_signature(session, case).valid:
        signatures.void(session, case, signature, user, "the case was changed after signing")
        voided = signature
        if case.billing_state == "ready_to_submit":
            claim.record_move(
                session, case, "awaiting_signature", user, note="Changed after signing."
            )
    if order_returns.open_return(session, case.id) is None:
        # A returned order goes back only when its clinician sends it again, with the changes.
        claim.route_for_signature(session, case, user)
    case_versions.record(session, case, user)
    return voided
