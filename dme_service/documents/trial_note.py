"""The trial note page: the supervised in-clinic trials as recorded, for the billing packet.

The medical record must corroborate the order (PIM §5.9), so the packet carries the
trials with the same numbers the LMN and the SWO use, the screening and the home dose, and the
history the letter states (prior treatment, findings, imaging, scores) in the letter's own
sentences, where recorded.
"""

from __future__ import annotations

from dme_service.case.model import ABSOLUTE_CONTRAINDICATIONS, OTHER_SCREENING_KEYS, Case, Trial
from dme_service.case.response import trial_response
from dme_service.documents import history_letter
from dme_service.documents import wording as w
from dme_service.documents.types import DocumentSource, RenderOptions
from dme_service.rules.decision import Decision


def source(case: Case, decision: Decision, options: RenderOptions) -> DocumentSource:
    latest = case.latest_trial_index
    return DocumentSource(
        kind="trial_note",
        template="trial_note.html",
        title=w.document_title("Supervised trial note", options.case_number),
        lang="en",
        created=options.now,
        author=options.clinic.name if options.clinic else None,
        context={
            "case": case,
            "clinic": options.clinic,
            "dob": w.long_date(case.patient.date_of_birth),
            "trials": [
                trial_row(trial, i == latest, _record(options, i))
                for i, trial in sorted(enumerate(case.trials), key=lambda it: it[1].date)
            ],
            "trial_response": decision.trial_response,
            "history": history_letter.finding_sentences(options.history)
            + history_letter.prior_treatment_sentences(options.history),
            "screening": screening_rows(case),
            "dose": w.dose_sentence(case.request),
            "hcpcs": case.request.hcpcs,
            "descriptor": w.hcpcs_descriptor(case.request.hcpcs),
        },
    )


# The trial's device and position as the note prints them (the contract's values are keys).
DEVICE_WORDS = {
    "mechanical": "Clinic mechanical traction",
    "manual": "Manual traction",
}
POSITION_WORDS = {"seated": "Seated", "supine": "Supine"}


def yes_no(value: bool | None) -> str:
    return "Not recorded" if value is None else ("Yes" if value else "No")


def _record(options: RenderOptions, index: int) -> w.TrialRecord:
    records = options.trial_records
    return records[index] if index < len(records) else w.TrialRecord()


def trial_row(trial: Trial, latest: bool, record: w.TrialRecord | None = None) -> dict:
    record = record or w.TrialRecord()
    return {
        "date": w.long_date(trial.date),
        "device": DEVICE_WORDS.get(trial.device, trial.device),
        "position": POSITION_WORDS.get(trial.position or "", "Not recorded"),
        "ran_by": record.ran_by or "Not recorded",
        "note": record.note,
        "force": f"{w.number(trial.force_lb)} pounds",
        "minutes": w.number(trial.minutes),
        "pain": f"{trial.pain_before} to {trial.pain_after}",
        "peripheralization": yes_no(trial.peripheralization),
        "new_neuro_signs": yes_no(trial.new_neuro_signs),
        "use_demonstrated": yes_no(trial.use_demonstrated),
        "tolerated": yes_no(trial.tolerated),
        "response": trial_response(trial).capitalize(),
        "latest": latest,
    }


# Keys whose words need more than a capital letter (a plain capital would print "Tmj dysfunction").
SCREENING_NAMES = {
    "tmj_dysfunction": "TMJ dysfunction",
    "tmj_treated": "TMJ treated",
    "over_door_unsafe": "Over-door unit unsafe",
    "jaw_or_neck_distortion": "Jaw or neck distortion",
}


def screening_rows(case: Case) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """Every screening key in words with its answer: contraindications beside the others."""

    def answer(key: str) -> tuple[str, str]:
        label = SCREENING_NAMES.get(key) or key.replace("_", " ").capitalize()
        return label, yes_no(case.screening.get(key))

    left = [answer(key) for key in ABSOLUTE_CONTRAINDICATIONS]
    right = [answer(key) for key in OTHER_SCREENING_KEYS]
    left += [("", "")] * (len(right) - len(left))
    return list(zip(left, right, strict=True))
