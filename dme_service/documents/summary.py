"""The coverage summary for the treating practitioner: printed for every decision,
and in place of a letter of medical necessity whenever the decision is not `eligible`.

What the payer requires, what is met and what is not, the alternative the decision
recommends and the practitioner's options. It is not a letter: no "I am ordering", no
"Sincerely", no signature block, and the status is in every page's footer (domain.md §5:
"meets criteria" only for an eligible decision).
"""

from __future__ import annotations

from dme_service.case.model import Case
from dme_service.documents import availability, citing
from dme_service.documents import wording as w
from dme_service.documents.letter_facts import long_dates
from dme_service.documents.types import DocumentSource, RenderOptions
from dme_service.rules.decision import Decision
from dme_service.rules.wording import SCREENING_LABELS

TITLE = "Coverage summary for the treating practitioner"
HIGHER_FORCE = ("E0849", "E0855")
STATUS_WORDS = {
    "eligible": "eligible",
    "not_eligible": "not eligible",
    "not_covered": "not covered",
    "contraindicated": "contraindicated",
    "incomplete": "incomplete",
}


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    status = STATUS_WORDS.get(decision.status, decision.status)
    return DocumentSource(
        kind="summary",
        template="summary.html",
        title=w.document_title(TITLE, options.case_number),
        lang="en",
        created=options.now,
        context={
            "case": case,
            "clinic": options.clinic,
            "status": status,
            "headline": headline(case, decision),
            "criteria": criteria_rows(decision),
            "alternative": alternative(case, decision),
            "options": practitioner_options(case, decision),
            "warnings": [w.plain_words(warning.text) for warning in decision.warnings],
            "payer_name": w.payer_name(case.payer),
            "member_label": w.member_id_label(case.payer),
            "dob": w.long_date(case.patient.date_of_birth),
            "device": f"{case.request.hcpcs} ({w.hcpcs_descriptor(case.request.hcpcs)})",
            "dose": w.dose_sentence(case.request),
            "policy": citing.policy_name(case.payer, decision.policy),
            "prepared": w.long_date(options.now.date()),
        },
    )


def headline(case: Case, decision: Decision) -> str:
    """The decision in one sentence, naming the payer, the device and the patient."""
    name, hcpcs = case.patient.name, case.request.hcpcs
    payer = w.payer_name(case.payer)
    if decision.status == "contraindicated":
        found = ", ".join(SCREENING_LABELS.get(k, k) for k in decision.contraindications)
        return f"Cervical traction is contraindicated for {name} ({found})."
    if decision.status == "incomplete":
        missing = "; ".join(availability.missing_words(m) for m in decision.missing)
        return f"The coverage of {hcpcs} for {name} cannot be decided yet: {missing}."
    if decision.status == "eligible":
        if case.payer == "self_pay":
            return f"{name} meets the clinical criteria for {hcpcs}; the patient pays."
        return f"{payer} covers {hcpcs} for {name} as ordered: every criterion is met."
    if decision.status == "not_covered":
        return f"{payer} does not cover {hcpcs} for home use."
    return f"{payer} does not cover {hcpcs} for {name} as ordered."


def criteria_rows(decision: Decision) -> list[tuple[str, str]]:
    """(Met / Not met, the criterion in the decision's words), alternatives left out."""
    rows = []
    for reason in decision.reasons:
        if ".alternative." in reason.code:
            continue
        rows.append(("Met" if reason.met else "Not met", long_dates(citing.cite(reason))))
    return rows


def alternative(case: Case, decision: Decision) -> str | None:
    recommended = decision.recommended_hcpcs
    if not recommended or recommended == case.request.hcpcs:
        return None
    demonstrated = home_unit_trial(case, recommended)
    when = f" (supervised trial of {w.long_date(demonstrated.date)})" if demonstrated else ""
    return (
        f"The patient meets the criteria for {recommended} "
        f"({w.hcpcs_descriptor(recommended)}){when}."
    )


def home_unit_trial(case: Case, device: str):
    trials = [t for t in case.trials if t.device == device]
    return max(trials, key=lambda t: t.date) if trials else None


def practitioner_options(case: Case, decision: Decision) -> list[str]:
    """What the practitioner can do next, from the decision's facts."""
    status, hcpcs = decision.status, case.request.hcpcs
    if status == "contraindicated":
        return ["Do not order a home traction unit; treat without traction."]
    if status == "incomplete":
        return ["Record what is missing, then decide again before anything is ordered."]
    if decision.trial_response == "worse":
        return [
            "Do not dispense a home unit: the latest supervised trial made symptoms worse. "
            "Reassess the patient before any new trial."
        ]
    if status == "eligible":
        return ["Sign the written order and the letter of medical necessity."]
    found = []
    if decision.recommended_hcpcs and decision.recommended_hcpcs != hcpcs:
        found.append(f"Order {decision.recommended_hcpcs} at the same dose.")
    if hcpcs in HIGHER_FORCE and status == "not_eligible":
        found.append(
            "If more force than an over-door unit gives is clinically needed, record why "
            "(or the TMJ or jaw and neck findings), then decide again."
        )
    if "GA" in decision.modifiers:
        found.append(f"Bill {hcpcs} with GA: the ABN is on file, so the patient may be billed.")
    elif "GZ" in decision.modifiers:
        found.append(
            "Give the patient an ABN (form CMS-R-131) before delivery; without a signed ABN "
            f"the claim carries GZ and the supplier is liable for {hcpcs}."
        )
    elif case.payer != "self_pay":
        found.append(
            "If the patient chooses to pay, get a signed financial-responsibility notice "
            "before delivery."
        )
    found.append(
        "To order against the payer's criteria, send the case for signature with your written "
        "reason; the order then carries that reason on every page."
    )
    return found
