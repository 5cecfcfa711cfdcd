"""The billing readiness checklist on the packet's cover, from what is known.

Each item is met, missing, to review, pending (happens after delivery) or not needed; its
detail says why in words. The same items drive the billing queue later; here they are
computed from the case, the decision and the signature event only.
"""

from __future__ import annotations

from dataclasses import dataclass

from dme_service.case.definitions import says_prn
from dme_service.case.model import Case
from dme_service.coding import codes
from dme_service.documents import wording as w
from dme_service.documents.letter_facts import long_dates
from dme_service.documents.wording import Signature
from dme_service.rules.decision import Decision

STATUS_LABELS = {
    "met": "Met",
    "missing": "Missing",
    "review": "Review",
    "pending": "Pending",
    "none": "Not needed",
}


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    label: str
    status: str  # a key of STATUS_LABELS
    detail: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def readiness(case: Case, decision: Decision, signature: Signature | None) -> list[ChecklistItem]:
    warnings = {warning.code for warning in decision.warnings}
    return [
        decision_item(decision),
        swo_item(signature),
        signer_item(case, signature),
        prn_item(case),
        trial_note_item(case),
        same_or_similar_item(case, warnings),
        modifier_item(case, decision),
        abn_item(case, decision),
        coding_item(case, warnings),
        ChecklistItem(
            "Proof of delivery",
            "pending",
            "Record the delivery date, method and who received the unit before recording payment.",
        ),
    ]


def decision_item(decision: Decision) -> ChecklistItem:
    policy = f"{decision.policy.id} ({w.payer_name(decision.policy.payer)})"
    if decision.status == "eligible":
        return ChecklistItem("Coverage decision", "met", f"Eligible under {policy}.")
    # each unmet criterion by its own name and fact, never the source repeated (defect #8)
    unmet = [unmet_words(r) for r in decision.reasons if not r.met]
    detail = f"{decision.status.replace('_', ' ').capitalize()} under {policy}."
    if unmet:
        detail += f" Unmet: {'; '.join(unmet)}."
    if decision.recommended_hcpcs and decision.recommended_hcpcs != decision.requested_hcpcs:
        detail += f" {decision.recommended_hcpcs} meets this patient's criteria."
    if decision.missing:
        detail += f" Missing: {', '.join(decision.missing)}."
    return ChecklistItem("Coverage decision", "missing", detail)


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


def swo_item(signature: Signature | None) -> ChecklistItem:
    label = "Standard written order: six required elements"
    if signature:
        return ChecklistItem(
            label,
            "met",
            "Beneficiary, item, quantity, order date, "
            "treating practitioner and signature are all on the order.",
        )
    return ChecklistItem(
        label,
        "missing",
        "Order date and signature are set when the "
        "treating practitioner signs; the other four elements are present.",
    )


def signer_item(case: Case, signature: Signature | None) -> ChecklistItem:
    label = "Signed by an eligible treating practitioner"
    signer = case.treating_practitioner
    if not signer.may_sign:
        return ChecklistItem(
            label,
            "missing",
            f"A {signer.credential} may not sign a DME "
            "order; an MD, DO, DPM, PA, NP or CNS must sign.",
        )
    if signature is None:
        return ChecklistItem(
            label,
            "missing",
            f"Awaiting the signature of {signer.name}, {signer.credential} (NPI {signer.npi}).",
        )
    return ChecklistItem(
        label,
        "met",
        signature.statement(),
    )


def prn_item(case: Case) -> ChecklistItem:
    label = "Order frequency is not PRN / as needed"
    text = case.request.frequency_text
    if says_prn(text):
        return ChecklistItem(label, "missing", f"The order says {text!r}; rewrite it.")
    sessions = case.request.sessions_per_day
    return ChecklistItem(label, "met", f"{sessions} sessions a day" if sessions else "Stated.")


def trial_note_item(case: Case) -> ChecklistItem:
    """The packet's trial table is the service's summary, not the record: a supplier-prepared
    statement is not the record (PIM §5.9, domain.md §3.4), so the therapist's note is asked for."""
    label = "The therapist's signed trial note (the record corroborates the order)"
    if not case.trials:
        return ChecklistItem(label, "missing", "No supervised trial is recorded.")
    latest = case.latest_trial
    return ChecklistItem(
        label,
        "review",
        "The packet holds a summary of the recorded trial values. Attach the therapist's "
        f"signed trial note of {w.long_date(latest.date)} from the chart.",
    )


def same_or_similar_item(case: Case, warnings: set[str]) -> ChecklistItem:
    label = "Same-or-similar check (prior unit within 5 years)"
    if "SAME_OR_SIMILAR" in warnings:
        prior = ", ".join(f"{p.hcpcs} on {w.long_date(p.date)}" for p in case.prior_devices)
        return ChecklistItem(
            label,
            "review",
            f"Prior unit on record: {prior}. Check the same-or-similar history before submitting.",
        )
    return ChecklistItem(label, "met", "Checked: no prior cervical traction unit within 5 years.")


MODIFIER_PAYERS = ("medicare", "ibx_ma")


def modifier_item(case: Case, decision: Decision) -> ChecklistItem:
    if case.payer not in MODIFIER_PAYERS:
        return ChecklistItem(
            "Claim modifiers", "none", "Not applicable (not a Medicare or IBX MA claim)."
        )
    label = "Claim modifiers (A52476: KX, GA or GZ)"
    if decision.modifiers:
        return ChecklistItem(
            label, "met", f"Bill {decision.requested_hcpcs} with {', '.join(decision.modifiers)}."
        )
    return ChecklistItem(
        label, "none", f"No modifier rule applies to {decision.requested_hcpcs} under this policy."
    )


def abn_item(case: Case, decision: Decision) -> ChecklistItem:
    label = "ABN or financial-responsibility notice"
    if case.payer == "self_pay":
        return ChecklistItem(
            "Financial-responsibility notice",
            "met" if case.abn_on_file else "missing",
            "Self-pay: get the patient's signed notice before delivery.",
        )
    if "GA" in decision.modifiers:
        return ChecklistItem(label, "met", "ABN on file (GA modifier).")
    if "GZ" in decision.modifiers:
        return ChecklistItem(label, "review", "No ABN on file: the supplier is liable (GZ).")
    if decision.status in ("not_covered", "not_eligible"):
        return ChecklistItem(
            label,
            "missing" if not case.abn_on_file else "met",
            "The payer is not expected to pay; the patient needs an ABN or a "
            "financial-responsibility notice before delivery.",
        )
    return ChecklistItem(label, "none", "The payer is expected to pay.")


def coding_item(case: Case, warnings: set[str]) -> ChecklistItem:
    label = "Diagnosis coding (Excludes1 pairs)"
    if "DIAGNOSIS_EXCLUDES1" in warnings:
        pairs = excludes1_pairs(case.diagnoses)
        named = "; ".join(f"{a} with {b}" for a, b in pairs)
        count = f"{len(pairs)} Excludes1 pair{'s' if len(pairs) != 1 else ''}" if pairs else ""
        detail = f"{count}: {named}." if pairs else "Two diagnoses form an Excludes1 pair."
        return ChecklistItem(
            label, "review", f"{detail} Keep the more specific code unless both are documented."
        )
    return ChecklistItem(label, "met", "No Excludes1 pair among the diagnoses.")


def excludes1_pairs(diagnoses) -> list[tuple[str, str]]:
    """The pairs among the case's codes that the tabular marks Excludes1 (rules' code index)."""
    return [(first, second) for first, second, _ in codes.excludes1_pairs(tuple(diagnoses))]
