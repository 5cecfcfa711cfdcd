"""The readiness checklist on the billing packet's cover: the one checklist of
`rules.readiness`, as the billing queue and the claim page show it.

A packet rendered from a stored claim is handed that claim's checklist (services.documents:
billing's reviews, the first submission and the proof of delivery included). A packet made
from a case file alone reads the facts the packet itself prints: the case, its decision and
the signature; nobody has reviewed anything, nothing was submitted or delivered yet.

The cover's Decision row says why a case is not eligible (`decision_words`): each unmet
criterion by its own name and fact, and the code that would meet the patient's criteria.
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import wording as w
from dme_service.documents.letter_facts import long_dates
from dme_service.documents.types import RenderOptions
from dme_service.documents.wording import Signature
from dme_service.rules import readiness as rules
from dme_service.rules.decision import Decision
from dme_service.rules.readiness import OrderElements, ReadinessFacts, ReadinessItem, SignedOrder


def readiness(case: Case, decision: Decision, options: RenderOptions) -> list[ReadinessItem]:
    """The cover's checklist: the stored claim's when given, else from the packet's facts."""
    if options.checklist is not None:
        return list(options.checklist)
    return rules.checklist(printed_facts(case, decision, options))


def printed_facts(case: Case, decision: Decision, options: RenderOptions) -> ReadinessFacts:
    """What the packet itself shows, as checklist facts (`options.now` is the clinic's time)."""
    practitioner = case.treating_practitioner
    return ReadinessFacts(
        elements=OrderElements(
            beneficiary=bool(case.patient.name or case.patient.member_id),
            hcpcs=case.request.hcpcs,
            practitioner_name=practitioner.name,
            practitioner_npi=practitioner.npi,
        ),
        signed=signed_order(options.signature),
        today=options.now.date(),
        case=case,
        decision=decision,
        day_words=w.long_date,
    )


def signed_order(signature: Signature | None) -> SignedOrder:
    """The printed signature (the documents print only one that still covers the case)."""
    if signature is None:
        return SignedOrder(valid=False)
    return SignedOrder(
        valid=True,
        signer=signature.name,
        credential=signature.credential,
        npi=signature.npi,
        signed_on=signature.signed_at.date(),
        signed_at_words=w.date_time(signature.signed_at),
    )


def decision_words(decision: Decision) -> str:
    """Why the decision is what it is, for the cover's Decision row; empty when eligible."""
    if decision.status == "eligible":
        return ""
    # each unmet criterion by its own name and fact, never the source repeated
    unmet = [unmet_words(r) for r in decision.reasons if not r.met]
    words = f"Unmet: {'; '.join(unmet)}." if unmet else ""
    if decision.recommended_hcpcs and decision.recommended_hcpcs != decision.requested_hcpcs:
        words += f" {decision.recommended_hcpcs} meets this patient's criteria."
    if decision.missing:
        words += f" Missing: {', '.join(decision.missing)}."
    return words.strip()


def unmet_words(reason) -> str:
    """ "LCD L33823 criterion A (TMJ dysfunction that has been treated) not recorded";
    a number the criterion compares is kept ("... for home use): 20 pounds ordered")."""
    parts = long_dates(w.plain_words(reason.text)).split(": ")
    label = parts[0].replace(" not met", "")
    if len(parts) < 2:
        return label
    if ".device." in reason.code:  # the payer never covers the device: say so as it is
        return f"{label}: {parts[1]}"
    words = f"{label} ({parts[1]})"
    fact = parts[-1] if len(parts) > 2 else ""
    return f"{words}: {fact}" if any(ch.isdigit() for ch in fact) else f"{words} not recorded"
