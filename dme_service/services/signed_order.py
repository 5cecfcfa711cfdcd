"""The signed order's life as people see it: its signature state, and what a save may do to it.

A save that changes a signed fact (case/signed_facts.py: what the signed order and letter
print) would void the practitioner's signature and send the order back to them. So it is not
made silently: the first attempt is refused with "Signed by Dr X on <date>: saving voids the
signature and returns the order to Dr X" and nothing is written; the same save made again with
the user's confirmation goes through, and `after_save` voids with the changes named. Once the
claim has been submitted the signed facts are frozen (docs/domain.md §1: the order on file is
the one the payer was billed with): the save is refused with the reason, whether confirmed or
not, and a paid claim keeps its signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dme_service.case import signed_facts
from dme_service.models import Case, Clinic, Signature
from dme_service.rules.claim import AMENDABLE_STATES
from dme_service.services.clinic import clinic_time
from dme_service.services.errors import Refusal
from dme_service.store import order_amendments
from dme_service.store.signed_content import (
    changed_facts,
    check_signature,
    current_signature,
    signatures,
)

# Claim states in which the payer holds (or has judged) a claim made from the signed order.
FROZEN_STATES = AMENDABLE_STATES


class SignatureWouldVoid(Refusal):
    """The save changes signed facts; it goes through only when the user confirms."""

    status = 409

    def __init__(self, signer: str, signed_on: str, changes: list[signed_facts.Change]) -> None:
        super().__init__(
            f"Signed by {signer} on {signed_on}: saving voids the signature and returns the "
            f"order to {signer}."
        )
        self.signer = signer
        self.signed_on = signed_on
        self.changes = changes

    @property
    def changed(self) -> str:
        return signed_facts.summary(self.changes)


class OrderFrozen(Refusal):
    """The claim made from the signed order has been submitted: its signed facts stay."""

    status = 409

    def __init__(self, state: str, changes: list[signed_facts.Change]) -> None:
        if state in ("paid", "closed"):
            words = (
                f"The claim made from this order is {state}: the signed order stays as it was "
                "signed, so these changes cannot be saved."
            )
        else:
            words = (
                "The claim made from this order has been submitted to the payer: the signed "
                "order cannot change."
            )
        words += (
            " To correct it, amend the order: that makes a new order version for a new "
            "signature and a corrected claim, and the claim already billed keeps its signature."
        )
        super().__init__(words)
        self.state = state
        self.changes = changes


# --- what the case page and the API show --------------------------------------------------


@dataclass(frozen=True)
class SignatureState:
    """The order's signature as one line at the top of the case page and in the API."""

    state: str  # "signed", "voided", "superseded", "awaiting" or "none"
    valid: bool
    signer: str | None = None  # "Dana Okafor, MD"
    signed_at: datetime | None = None
    method: str | None = None
    voided_at: datetime | None = None
    void_reason: str | None = None
    problem: str | None = None  # a standing signature that no longer matches (outside edit)
    awaiting: str | None = None  # the practitioner the order waits for
    order_version: int = 1  # one more for each amendment after the claim went to the payer
    superseded_at: datetime | None = None  # the signature kept for the claim billed on it

    def as_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "order_version": self.order_version,
            "superseded_at": _iso(self.superseded_at),
            "valid": self.valid,
            "signed_by": self.signer,
            "signed_at": _iso(self.signed_at),
            "method": self.method,
            "voided_at": _iso(self.voided_at),
            "void_reason": self.void_reason,
            "problem": self.problem,
            "awaiting_signature_by": self.awaiting,
        }


def signature_state(session: Session, case: Case) -> SignatureState:
    """Signed by whom and when, voided and why, superseded by an amended order, or awaiting
    whose signature; with the order version (store.order_amendments)."""
    check = check_signature(session, case)
    waiting = _practitioner(case) if case.billing_state == "awaiting_signature" else None
    version = order_amendments.order_version(session, case.id)
    if check.signature is not None:
        signature = check.signature
        return SignatureState(
            "signed",
            check.valid,
            signer=_signer(signature),
            signed_at=signature.signed_at,
            method=signature.method,
            problem=None if check.valid else check.problem,
            awaiting=waiting,
            order_version=version,
        )
    every = signatures(session, case.id)
    if every and (every[0].voided_at is not None or every[0].superseded_at is not None):
        last = every[0]
        return SignatureState(
            "voided" if last.voided_at is not None else "superseded",
            False,
            signer=_signer(last),
            signed_at=last.signed_at,
            method=last.method,
            voided_at=last.voided_at,
            void_reason=last.void_reason,
            awaiting=waiting,
            order_version=version,
            superseded_at=last.superseded_at,
        )
    state = "awaiting" if waiting else "none"
    return SignatureState(state, False, awaiting=waiting, order_version=version)


def _signer(signature: Signature) -> str:
    name = signature.signer.name if signature.signer is not None else "the practitioner"
    return f"{name}, {signature.credential}" if signature.credential else name


def _practitioner(case: Case) -> str | None:
    person = case.treating_practitioner
    if person is None:
        return None
    return f"{person.name}, {person.credential}" if person.credential else person.name


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- the save's guard ---------------------------------------------------------------------


def standing(session: Session, case: Case) -> Signature | None:
    """The signature that covers the case before a save (None when unsigned or already
    invalid: an order whose signature no longer matches has nothing left to warn about)."""
    check = check_signature(session, case)
    return check.signature if check.valid else None


def guard(session: Session, case: Case, before: Signature | None, *, confirm_void: bool) -> None:
    """After a save's rows are written, before `after_save` voids: OrderFrozen when the claim
    was submitted and a signed fact changed; SignatureWouldVoid unless the user confirmed.
    Either refusal rolls the save back (the caller's transaction)."""
    if before is None:
        return
    session.flush()
    session.expire(case)
    if current_signature(session, case.id) is None or check_signature(session, case).valid:
        return
    found = changed_facts(before, case)
    if case.billing_state in FROZEN_STATES:
        raise OrderFrozen(case.billing_state, found)
    if not confirm_void:
        raise SignatureWouldVoid(_signer(before), _signed_on(session, case, before), found)


def _signed_on(session: Session, case: Case, signature: Signature) -> str:
    clinic = session.get(Clinic, case.clinic_id)
    zone = clinic.timezone if clinic is not None else None
    return clinic_time.human_date(signature.signed_at, zone)
