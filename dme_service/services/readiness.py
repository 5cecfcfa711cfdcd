"""The readiness checklist of a claim: what must be true before submission and before "paid".

Each item says in words whether it is met and, when not, what to do. The billing queue shows
the unmet ones per case, `billing.transition` refuses "ready to submit" (and every
resubmission) until the submission items are met and "paid" until proof of delivery is
recorded, and the packet cover sheet prints `cover_sheet_rows`. Sources: 42 CFR 410.38(d)
(SWO), PIM 100-08 ch. 5 §5.2-5.10 (record, supplier file, delivery), A52476 (GA/ABN),
domain.md §3.6 (same-or-similar) and §11.3 (Excludes1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.documents.wording import is_prn
from dme_service.models import BillingEvent, Case, ChecklistReview
from dme_service.services import signing

CERVICAL_UNITS = ("E0840", "E0849", "E0850", "E0855", "E0856", "E0860")
SAME_OR_SIMILAR_DAYS = 1826  # five years (case-format.md clarification 8)
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

    def as_row(self) -> tuple[str, bool, str]:
        return (self.label, self.met, self.detail)


def missing(items: list[ReadinessItem], needed_for: str = "submission") -> list[ReadinessItem]:
    """The unmet items a move needs: submission items, or every item for "payment"."""
    wanted = ("submission",) if needed_for == "submission" else ("submission", "payment")
    unmet = [item for item in items if not item.met and item.needed_for in wanted]
    keys = {item.key for item in unmet}
    return [item for item in unmet if item.follows not in keys]


def cover_sheet_rows(session: Session, case: Case) -> list[tuple[str, bool, str]]:
    """The checklist as plain (label, met, detail) rows for the packet's cover sheet."""
    return [item.as_row() for item in checklist(session, case)]


def checklist(session: Session, case: Case, *, today: date | None = None) -> list[ReadinessItem]:
    """Every item, in the order a biller works through them."""
    today = today or date.today()
    check = signing.check_signature(session, case)
    try:
        parsed, decision = signing.case_and_decision(case)
    except signing.CannotSign as incomplete:
        parsed = decision = None
        unknown = incomplete.message
    facts_items = (
        [
            trial_note_item(parsed),
            frequency_item(parsed),
            same_or_similar_item(session, case, parsed),
            abn_item(case, decision),
            excludes1_item(session, case, decision),
        ]
        if parsed is not None
        else [
            ReadinessItem(key, label, False, unknown)
            for key, label in (("case", "Case complete enough to bill"),)
        ]
    )
    return [
        swo_item(case, check),
        signature_item(check),
        order_date_item(session, case, check, today),
        *facts_items,
        delivery_item(session, case),
    ]


def swo_item(case: Case, check: signing.SignatureCheck) -> ReadinessItem:
    """42 CFR 410.38(d)(1): the SWO's six elements (PIM §5.2.2)."""
    label = "Standard written order has its six elements"
    rx, patient, signer = case.home_prescription, case.patient, case.treating_practitioner
    gaps = []
    if not (patient.name or patient.member_id):
        gaps.append("beneficiary name or MBI")
    if rx is None or not rx.hcpcs:
        gaps.append("item (HCPCS code)")
    if signer is None or not (signer.name or signer.npi):
        gaps.append("treating practitioner name or NPI")
    if not check.valid:
        gaps.append("order date and practitioner signature (set when the practitioner signs)")
    if gaps:
        follows = "signature" if len(gaps) == 1 and not check.valid else None
        detail = "Missing: " + "; ".join(gaps) + "."
        return ReadinessItem("swo", label, False, detail, follows=follows)
    return ReadinessItem(
        "swo",
        label,
        True,
        f"Beneficiary, {rx.hcpcs}, quantity 1, order date, {signer.name} and signature "
        "are on the signed SWO.",
    )


def signature_item(check: signing.SignatureCheck) -> ReadinessItem:
    """RET-2: a signature present, not voided, and still matching the case."""
    label = "Signed by the treating practitioner, signature not voided"
    if not check.valid:
        return ReadinessItem("signature", label, False, check.problem or "Not signed yet.")
    signature = check.signature
    return ReadinessItem(
        "signature",
        label,
        True,
        f"Signed by {signature.signer.name}, {signature.credential} (NPI {signature.npi}) "
        f"on {signature.signed_at:%Y-%m-%d %H:%M} UTC.",
    )


def order_date_item(session, case, check: signing.SignatureCheck, today: date) -> ReadinessItem:
    """42 CFR 410.38(d)(1)(ii)(B): the order must reach the supplier before the claim."""
    label = "Order date on or before submission"
    if not check.valid:
        return ReadinessItem(
            "order_date", label, False, "No valid order date until signed.", follows="signature"
        )
    ordered = check.signature.signed_at.date()
    submitted = _first_submission(session, case.id)
    when = submitted or today
    if ordered > when:
        return ReadinessItem(
            "order_date", label, False, f"The order ({ordered}) is dated after {when}."
        )
    words = f"submitted {submitted}" if submitted else "not submitted yet"
    return ReadinessItem("order_date", label, True, f"Ordered {ordered}; {words}.")


def trial_note_item(parsed) -> ReadinessItem:
    """PIM §5.9: the record (the PT trial note) must corroborate the order."""
    label = "Trial note in the packet"
    if not parsed.trials:
        return ReadinessItem("trial_note", label, False, "No supervised trial is recorded.")
    latest = max(parsed.trials, key=lambda trial: trial.date)
    count = len(parsed.trials)
    return ReadinessItem(
        "trial_note",
        label,
        True,
        f"{count} trial{'s' if count != 1 else ''} recorded (latest {latest.date}); the "
        "packet's trial note is built from them.",
    )


def frequency_item(parsed) -> ReadinessItem:
    """ "Orders that only state 'PRN' or 'as needed' ... are not acceptable" (domain.md §3.5)."""
    label = "Order frequency stated, not PRN"
    request = parsed.request
    if is_prn(request.frequency_text):
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


def prior_units_within_five_years(parsed) -> list:
    """Prior cervical units dated less than 5 years before the latest trial (domain.md §3.6)."""
    if not parsed.trials:
        return []
    latest = max(trial.date for trial in parsed.trials)
    window = timedelta(days=SAME_OR_SIMILAR_DAYS)
    return [
        prior
        for prior in parsed.prior_devices
        if prior.hcpcs in CERVICAL_UNITS and timedelta(0) <= latest - prior.date < window
    ]


def same_or_similar_item(session, case, parsed) -> ReadinessItem:
    label = "Same-or-similar checked (prior unit within 5 years)"
    priors = prior_units_within_five_years(parsed)
    if not priors:
        return ReadinessItem(
            "same_or_similar", label, True, "Checked: no prior traction unit within 5 years."
        )
    listed = ", ".join(f"{prior.hcpcs} dated {prior.date}" for prior in priors)
    return _reviewed(
        session,
        case,
        "same_or_similar",
        label,
        f"Prior unit {listed} is within 5 years: record why this claim is payable "
        "(loss, theft, irreparable damage or a changed condition) before submitting.",
    )


def abn_item(case: Case, decision) -> ReadinessItem:
    """A52476: GA means a valid ABN is on file; GZ means the supplier is liable."""
    label = "ABN on file when the GA modifier is used"
    if "GA" in decision.modifiers and not case.abn_on_file:
        return ReadinessItem("abn", label, False, "GA is billed but no ABN is on file.")
    if "GA" in decision.modifiers:
        return ReadinessItem("abn", label, True, "GA: the ABN is on file.")
    if "GZ" in decision.modifiers:
        return ReadinessItem("abn", label, True, "GZ: no ABN, the supplier is liable.")
    return ReadinessItem("abn", label, True, "No GA modifier: no ABN needed.")


def excludes1_item(session, case, decision) -> ReadinessItem:
    """domain.md §11.3: an Excludes1 pair is a billing lint a person must review."""
    label = "Diagnosis codes reviewed for Excludes1 pairs"
    warning = next((w for w in decision.warnings if w.code == "DIAGNOSIS_EXCLUDES1"), None)
    if warning is None:
        return ReadinessItem("excludes1", label, True, "No Excludes1 pair among the diagnoses.")
    return _reviewed(session, case, "excludes1", label, warning.text)


def _reviewed(session, case, key: str, label: str, problem: str) -> ReadinessItem:
    """Met when billing reviewed this item while the case said what it says now."""
    entry = latest_review(session, case, key)
    if entry is None:
        return ReadinessItem(key, label, False, problem)
    return ReadinessItem(key, label, True, f"Reviewed {entry.at:%Y-%m-%d}: {entry.note}")


def latest_review(session, case: Case, key: str) -> ChecklistReview | None:
    current = signing.case_content_sha256(case)
    query = (
        select(ChecklistReview)
        .where(
            ChecklistReview.case_id == case.id,
            ChecklistReview.item == key,
            ChecklistReview.content_sha256 == current,
        )
        .order_by(ChecklistReview.id.desc())
    )
    return session.scalars(query).first()


def delivery_item(session: Session, case: Case) -> ReadinessItem:
    """PIM §5.10: proof of delivery (date, method, who received it) before "paid"."""
    label = "Proof of delivery recorded"
    delivery = recorded_delivery(session, case.id)
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
        f"Delivered {delivery['date']}, received by {delivery['received_by']}.",
        "payment",
    )


def recorded_delivery(session: Session, case_id: int) -> dict | None:
    """The newest proof of delivery recorded with any billing move of the case."""
    query = (
        select(BillingEvent.delivery)
        .where(BillingEvent.case_id == case_id, BillingEvent.delivery.is_not(None))
        .order_by(BillingEvent.id.desc())
    )
    for delivery in session.scalars(query):
        if delivery:
            return delivery
    return None


def _first_submission(session: Session, case_id: int) -> date | None:
    query = select(BillingEvent.at).where(
        BillingEvent.case_id == case_id, BillingEvent.to_state == "submitted"
    )
    first = session.scalars(query.order_by(BillingEvent.id)).first()
    return first.date() if first else None


def signature_route_problems(case: Case, *, chosen: bool = False) -> list[ReadinessItem]:
    """Why the case cannot go to its practitioner for signature (empty when it can).

    Eligible cases go by themselves; not-eligible and not-covered ones only when a person
    chooses to send them and says why (`chosen`); incomplete and contraindicated never.
    """
    problems = []
    allowed = signing.ROUTED_STATUSES + (signing.CHOSEN_STATUSES if chosen else ())
    if case.status not in allowed:
        if case.status in signing.CHOSEN_STATUSES:
            detail = "The decision is not eligible: send it only with a reason (e.g. ABN)."
        else:
            detail = f"The decision is {case.status.replace('_', ' ')}; complete the case first."
        problems.append(ReadinessItem("decision", "Coverage decision", False, detail))
    signer = case.treating_practitioner
    if signer is None or not signer.may_sign or not signer.active:
        problems.append(
            ReadinessItem(
                "practitioner",
                "Treating practitioner who may sign",
                False,
                "Name a treating practitioner (MD, DO, DPM, PA, NP or CNS with an NPI).",
            )
        )
    return problems
