"""The claim's readiness checklist: what must be true before submission and before "paid",
over facts alone (no database, no rendering), so the packet cover, the billing queue, the
claim page and the claim's state machine all read one list.

Each item says in words whether it is met and, when not, what to do. Sources: 42 CFR
410.38(d) (SWO and order date), PIM 100-08 ch. 5 §5.2-5.10 (record, delivery), A52476 (GA and
the ABN), docs/domain.md §3.5 (PRN), §3.6 (same-or-similar) and §11.3 (Excludes1).
Who gathers the facts: services.billing.readiness from the stored claim, documents.checklist
from what the packet prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from dme_service.case.definitions import same_or_similar, says_prn
from dme_service.case.model import Case
from dme_service.coding import codes
from dme_service.rules.claim import CHOSEN_STATUSES
from dme_service.rules.decision import Decision
from dme_service.rules.policy import load_pack

STATUS_LABELS = {
    "met": "Met",
    "missing": "Missing",
    "review": "Review",
    "pending": "Pending",
}
# Items met by a person's review (billing.review) rather than by data.
REVIEWABLE = {
    "same_or_similar": "Same-or-similar history reviewed",
    "excludes1": "Excludes1 diagnosis pair reviewed",
}


@dataclass(frozen=True)
class ReadinessItem:
    """One checklist line; `needed_for` is "submission" or "payment"."""

    key: str
    label: str
    met: bool
    detail: str
    needed_for: str = "submission"
    follows: str | None = None  # unmet only because this other item is: not listed twice

    @property
    def status(self) -> str:
        """met, review (a person must look), pending (after delivery) or missing."""
        if self.met:
            return "met"
        if self.key in REVIEWABLE:
            return "review"
        return "pending" if self.needed_for == "payment" else "missing"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def unmet(items: list[ReadinessItem], needed_for: str = "submission") -> list[ReadinessItem]:
    """The unmet items a move needs: submission items, or every item for "payment"."""
    wanted = ("submission",) if needed_for == "submission" else ("submission", "payment")
    unmet = [item for item in items if not item.met and item.needed_for in wanted]
    keys = {item.key for item in unmet}
    return [item for item in unmet if item.follows not in keys]


@dataclass(frozen=True)
class OrderElements:
    """What the order names, read from the stored case even when it does not parse."""

    beneficiary: bool  # a name or an MBI
    hcpcs: str | None
    practitioner_name: str | None
    practitioner_npi: str | None


@dataclass(frozen=True)
class SignedOrder:
    """The order's signature as the checklist reads it: whether it still covers the case."""

    valid: bool
    problem: str | None = None
    signer: str = ""
    credential: str = ""
    npi: str = ""
    signed_on: date | None = None  # the clinic's calendar day
    signed_at_words: str = ""  # "Dec 6, 2026, 7:04 PM CST", in the clinic's zone


@dataclass(frozen=True)
class ReadinessFacts:
    """Everything the checklist reads. `case` and `decision` are None when the stored case
    does not parse (then `incomplete` says why); `reviews` maps a REVIEWABLE key to billing's
    review of the case as it stands ("Reviewed 2026-12-01: note")."""

    elements: OrderElements
    signed: SignedOrder
    today: date
    case: Case | None = None
    decision: Decision | None = None
    incomplete: str | None = None
    reviews: Mapping[str, str] = field(default_factory=dict)
    delivery: Mapping | None = None
    submitted_on: date | None = None
    # How a day reads in the details ("Dec 5, 2026" where the clinic's format is known).
    day_words: Callable[[date], str] = date.isoformat


def checklist(facts: ReadinessFacts) -> list[ReadinessItem]:
    """Every item, in the order a biller works through them."""
    if facts.case is not None and facts.decision is not None:
        record = [
            trial_note_item(facts.case, facts.day_words),
            frequency_item(facts.case),
            same_or_similar_item(facts.case, facts.reviews, facts.day_words),
            abn_item(facts.case, facts.decision),
            excludes1_item(facts.case, facts.decision, facts.reviews),
        ]
    else:
        why = f"The case is not complete enough to sign: {facts.incomplete}"
        record = [ReadinessItem("case", "Case complete enough to bill", False, why)]
    return [
        swo_item(facts.elements, facts.signed),
        signature_item(facts.signed),
        order_date_item(facts.signed, facts.submitted_on, facts.today, facts.day_words),
        *record,
        delivery_item(facts.delivery, facts.day_words),
    ]


# --- the signed order ----------------------------------------------------------------------


def swo_item(elements: OrderElements, signed: SignedOrder) -> ReadinessItem:
    """42 CFR 410.38(d)(1): the SWO's six elements (PIM §5.2.2)."""
    label = "Standard written order has its six elements"
    gaps = []
    if not elements.beneficiary:
        gaps.append("beneficiary name or MBI")
    if not elements.hcpcs:
        gaps.append("item (HCPCS code)")
    if not (elements.practitioner_name or elements.practitioner_npi):
        gaps.append("treating practitioner name or NPI")
    if not signed.valid:
        gaps.append("order date and practitioner signature (set when the practitioner signs)")
    if gaps:
        follows = "signature" if len(gaps) == 1 and not signed.valid else None
        detail = "Missing: " + "; ".join(gaps) + "."
        return ReadinessItem("swo", label, False, detail, follows=follows)
    return ReadinessItem(
        "swo",
        label,
        True,
        f"Beneficiary, {elements.hcpcs}, quantity 1, order date, {elements.practitioner_name} "
        "and signature are on the signed SWO.",
    )


def signature_item(signed: SignedOrder) -> ReadinessItem:
    """docs/security.md RET-2: a signature present, not voided, and still matching the case."""
    label = "Signed by the treating practitioner, signature not voided"
    if not signed.valid:
        return ReadinessItem("signature", label, False, signed.problem or "Not signed yet.")
    return ReadinessItem(
        "signature",
        label,
        True,
        f"Signed by {signed.signer}, {signed.credential} (NPI {signed.npi}) "
        f"on {signed.signed_at_words}.",
    )


def order_date_item(
    signed: SignedOrder,
    submitted: date | None,
    today: date,
    day_words: Callable[[date], str] = date.isoformat,
) -> ReadinessItem:
    """42 CFR 410.38(d)(1)(ii)(B): the order must reach the supplier before the claim. Both
    are the clinic's calendar days, as the SWO prints the order date."""
    label = "Order date on or before submission"
    if not signed.valid or signed.signed_on is None:
        return ReadinessItem(
            "order_date", label, False, "No valid order date until signed.", follows="signature"
        )
    ordered = signed.signed_on
    when = submitted or today
    if ordered > when:
        return ReadinessItem(
            "order_date",
            label,
            False,
            f"The order ({day_words(ordered)}) is dated after {day_words(when)}.",
        )
    words = f"submitted {day_words(submitted)}" if submitted else "not submitted yet"
    return ReadinessItem("order_date", label, True, f"Ordered {day_words(ordered)}; {words}.")


# --- the record behind the order -------------------------------------------------------------


def trial_note_item(case: Case, day_words: Callable[[date], str] = date.isoformat) -> ReadinessItem:
    """PIM §5.9: the record (the PT trial note) must corroborate the order. The packet's trial
    note summarizes the recorded values; a supplier-prepared statement is not the record
    (docs/domain.md §3.4), so the therapist's signed note from the chart goes with it."""
    label = "Trial note in the packet"
    if not case.trials:
        return ReadinessItem("trial_note", label, False, "No supervised trial is recorded.")
    latest = case.latest_trial
    count = len(case.trials)
    return ReadinessItem(
        "trial_note",
        label,
        True,
        f"{count} trial{'s' if count != 1 else ''} recorded (latest {day_words(latest.date)}); the "
        "packet's trial note is built from them. Attach the therapist's signed trial note "
        f"of {day_words(latest.date)} from the chart.",
    )


def frequency_item(case: Case) -> ReadinessItem:
    """ "Orders that only state 'PRN' or 'as needed' ... are not acceptable" (domain.md §3.5)."""
    label = "Order frequency stated, not PRN"
    request = case.request
    if says_prn(request.frequency_text):
        return ReadinessItem(
            "frequency",
            label,
            False,
            f"The order says {request.frequency_text!r}; the "
            "clinician must state minutes and sessions per day.",
        )
    if not request.sessions_per_day or not request.minutes:
        return ReadinessItem(
            "frequency", label, False, "Minutes and sessions per day are not on the order."
        )
    sessions = request.sessions_per_day
    return ReadinessItem(
        "frequency", label, True, f"{request.minutes:g} minutes, {sessions} times a day."
    )


def same_or_similar_item(
    case: Case, reviews: Mapping[str, str], day_words: Callable[[date], str] = date.isoformat
) -> ReadinessItem:
    """docs/domain.md §3.6: a prior unit within 5 years needs a reason the claim is payable."""
    label = "Same-or-similar checked (prior unit within 5 years)"
    latest = case.latest_trial
    priors = same_or_similar(case.prior_devices, latest.date if latest else None)
    if not priors:
        return ReadinessItem(
            "same_or_similar", label, True, "Checked: no prior traction unit within 5 years."
        )
    listed = ", ".join(f"{prior.hcpcs} dated {day_words(prior.date)}" for prior in priors)
    problem = (
        f"Prior unit {listed} is within 5 years: record why this claim is payable "
        "(loss, theft, irreparable damage or a changed condition) before submitting."
    )
    return _reviewed("same_or_similar", label, problem, reviews)


def abn_item(case: Case, decision: Decision) -> ReadinessItem:
    """A52476: GA means a valid ABN is on file; GZ means the supplier is liable. A patient
    who will pay (self-pay, or a payer not expected to pay) signs a notice before delivery."""
    label = "ABN or financial-responsibility notice"
    if load_pack(case.payer).patient_pays:
        detail = "Self-pay: get the patient's signed notice before delivery."
        return ReadinessItem("abn", label, bool(case.abn_on_file), detail)
    if "GA" in decision.modifiers and not case.abn_on_file:
        return ReadinessItem("abn", label, False, "GA is billed but no ABN is on file.")
    if "GA" in decision.modifiers:
        return ReadinessItem("abn", label, True, "GA: the ABN is on file.")
    if "GZ" in decision.modifiers:
        return ReadinessItem("abn", label, True, "GZ: no ABN, the supplier is liable.")
    if decision.status in CHOSEN_STATUSES:
        detail = (
            "The payer is not expected to pay; the patient needs an ABN or a "
            "financial-responsibility notice before delivery."
        )
        return ReadinessItem("abn", label, bool(case.abn_on_file), detail)
    return ReadinessItem("abn", label, True, "The payer is expected to pay: no notice needed.")


def excludes1_item(case: Case, decision: Decision, reviews: Mapping[str, str]) -> ReadinessItem:
    """docs/domain.md §11.3: an Excludes1 pair is a billing lint a person must review. The
    decision warns (its text quotes each note); the checklist names the pairs only."""
    label = "Diagnosis codes reviewed for Excludes1 pairs"
    if not any(w.code == "DIAGNOSIS_EXCLUDES1" for w in decision.warnings):
        return ReadinessItem("excludes1", label, True, "No Excludes1 pair among the diagnoses.")
    pairs = [(a, b) for a, b, _ in codes.excludes1_pairs(tuple(case.diagnoses))]
    named = "; ".join(f"{a} with {b}" for a, b in pairs)
    count = f"{len(pairs)} Excludes1 pair{'s' if len(pairs) != 1 else ''}"
    problem = f"{count}: {named}. Keep the more specific code unless both are documented."
    return _reviewed("excludes1", label, problem, reviews)


def _reviewed(key: str, label: str, problem: str, reviews: Mapping[str, str]) -> ReadinessItem:
    """Met when billing reviewed this item while the case said what it says now."""
    if key in reviews:
        return ReadinessItem(key, label, True, reviews[key])
    return ReadinessItem(key, label, False, problem)


# --- after delivery --------------------------------------------------------------------------


def delivery_item(
    delivery: Mapping | None, day_words: Callable[[date], str] = date.isoformat
) -> ReadinessItem:
    """PIM §5.10: proof of delivery (date, method, who received it) before "paid"."""
    label = "Proof of delivery recorded"
    if delivery is None:
        return ReadinessItem(
            "delivery",
            label,
            False,
            "Record the delivery date, method and who received the unit before recording payment.",
            "payment",
        )
    return ReadinessItem(
        "delivery",
        label,
        True,
        f"Delivered {_stored_day(delivery['date'], day_words)}, "
        f"received by {delivery['received_by']}.",
        "payment",
    )


def _stored_day(iso: str, day_words: Callable[[date], str]) -> str:
    """A stored delivery date in words; one that does not parse shows as it is."""
    try:
        return day_words(date.fromisoformat(iso))
    except ValueError:
        return iso
