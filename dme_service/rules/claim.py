"""The claim's vocabulary: its states, the moves between them, and which decisions go to signature.

Pure data, read by the billing services (which make and check the moves), the signing service
(which decisions may be signed) and the pages (which states the queue lists).

    draft -> awaiting_signature -> signed -> ready_to_submit -> submitted -> paid | denied
    denied -> resubmitted | appealed | closed;  resubmitted | appealed -> paid | denied | closed

"signed" is the application's move when the practitioner signs: the order is signed and waits
for billing's review. A voided signature moves a signed or ready claim back to
"awaiting_signature", with the reason. Once the claim has gone to the payer the signed order
is frozen; amending it (a new order version) moves the claim back to "awaiting_signature" and
its next file is a corrected claim (services.order_amendment), or for Medicare a reopening
asked of the DME MAC (services/billing/reopening.py: ready to submit -> submitted, or appealed
for a redetermination).
"""

from __future__ import annotations

BILLING_STATES = (
    "draft",
    "awaiting_signature",
    "signed",
    "ready_to_submit",
    "submitted",
    "paid",
    "denied",
    "resubmitted",
    "appealed",
    "closed",
)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("awaiting_signature",),
    # Signing moves the claim on by itself (SYSTEM_MOVES); billing then reviews it.
    "awaiting_signature": (),
    "signed": ("ready_to_submit",),
    "ready_to_submit": ("submitted",),
    "submitted": ("paid", "denied"),
    # A resubmitted or appealed claim can be denied again; its CARC must then be recorded too.
    "denied": ("resubmitted", "appealed", "closed"),
    "resubmitted": ("paid", "denied", "closed"),
    "appealed": ("paid", "denied", "closed"),
    "paid": (),
    "closed": (),
}
# Claim states in which the payer holds (or has judged) a claim made from the signed order:
# its signed facts are frozen, and correcting them takes an amended order and a corrected claim.
AMENDABLE_STATES = ("submitted", "denied", "resubmitted", "appealed", "paid", "closed")
# Moves only the application makes: signed when the practitioner signs (services.signing);
# after a case changes (services.after_save) back for a new signature, or back to draft when
# the decision is no longer complete.
SYSTEM_MOVES = frozenset(
    {
        ("awaiting_signature", "signed"),
        ("signed", "awaiting_signature"),
        ("ready_to_submit", "awaiting_signature"),
        ("awaiting_signature", "draft"),
    }
    # An amended order (a new order version) goes back for a new signature.
    | {(state, "awaiting_signature") for state in AMENDABLE_STATES}
    # Medicare: billing records a redetermination asked of the DME MAC for an amended order
    # (services/billing/reopening.py), first or after a reopening it declined.
    | {("ready_to_submit", "appealed"), ("submitted", "appealed")}
)
# A signature void moves these back to awaiting signature.
SIGNED_STATES = ("signed", "ready_to_submit")
SUBMISSIONS = ("ready_to_submit", "submitted", "resubmitted", "appealed")
# The states billing acts on: a signed order is "signed" until billing checks it and marks it
# ready to submit; paid and closed are done.
QUEUE_STATES = (
    "awaiting_signature",
    "signed",
    "ready_to_submit",
    "submitted",
    "denied",
    "resubmitted",
    "appealed",
)
FINISHED_STATES = ("paid", "closed")
STATE_WORDS = {state: state.replace("_", " ") for state in BILLING_STATES}
STATE_WORDS["signed"] = "signed, awaiting billing review"

# Decisions that go to the practitioner by themselves, and those that go only when a person
# chooses to send them (with a reason: an ABN on file, a patient who pays, a claim for a
# denial the secondary payer needs). Incomplete and contraindicated cases never go.
ROUTED_STATUSES = ("eligible",)
CHOSEN_STATUSES = ("not_eligible", "not_covered")


def is_legal(from_state: str, to_state: str) -> bool:
    """A move a person may make (TRANSITIONS) or one the application makes (SYSTEM_MOVES)."""
    return to_state in TRANSITIONS.get(from_state, ()) or (from_state, to_state) in SYSTEM_MOVES
