"""What a practitioner's signature covers: the facts the signed order and letter print.

The standard written order prints the patient (name, date of birth, member id and payer), the
item (HCPCS), the dose (force, minutes, sessions a day, length of need), the diagnosis codes,
the treating practitioner and, for an order sent against the payer's criteria, the coverage
decision (documents/swo.py, pdf_templates/swo.html). The letter of medical necessity prints
all of that and also the patient's weight (as the force's share of it), the onset date, every
supervised trial, the screening answers, the other devices asked about and the coverage
decision it argues from (documents/lmn.py), and the clinical history it states (prior
treatment, findings, imaging and scores: case/history.py), once any is recorded. Nothing else
is signed: the clinician's free-text notes, the frequency sentence typed on the form (the order
prints the frequency built from the numbers) and a weight on an order signed without its
letter can change without a new signature.

The projection works on the dme-case/1 document (docs/case-format.md) and the stored
decision status, so a change of wording in a later release never changes what was signed.
Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dme_service.case import history as case_history
from dme_service.case.length_of_need import in_months

# The content a signature's HMAC is computed over; stored with each signature so a signature
# made under an older scope is still checked the way it was made.
SCOPE = "signed-facts/1"
# Signatures made before the projection existed covered the whole case document.
LEGACY_SCOPE = "case-document"

ORDER_REQUEST_KEYS = ("hcpcs", "force_lb", "minutes", "sessions_per_day", "length_of_need_months")
PATIENT_KEYS = ("name", "date_of_birth", "member_id")
LETTER_KEYS = ("onset_date", "trials", "screening", "also_requested")

# Each fact's name in the words the clinic uses, for the warning before a save and the reason a
# signature was voided. Flattened paths: "patient.name", "request.force_lb", "screening.glaucoma".
LABELS = {
    "patient.name": "patient's name",
    "patient.date_of_birth": "date of birth",
    "patient.member_id": "member id",
    "patient.weight_lb": "patient's weight (printed on the letter)",
    "payer": "payer",
    "diagnoses": "diagnosis codes",
    "request.hcpcs": "device (HCPCS)",
    "request.force_lb": "force",
    "request.minutes": "minutes per session",
    "request.sessions_per_day": "sessions per day",
    "request.length_of_need_months": "length of need",
    "treating_practitioner": "treating practitioner",
    "decision": "coverage decision",
    "onset_date": "onset date",
    "trials": "supervised trials",
    "also_requested": "other devices asked about",
}
UNITS = {
    "patient.weight_lb": "lb",
    "request.force_lb": "lb",
    "request.minutes": "min",
    "request.length_of_need_months": "months",
    "history.physical_therapy_weeks": "weeks",
    "history.clinic_traction_sessions": "sessions",
    "history.ndi_percent": "%",
}


def covers_letter(kinds) -> bool:
    """True when the signed documents include the letter of medical necessity."""
    return "lmn" in set(kinds)


def signed_facts(
    document: dict[str, Any],
    status: str | None,
    *,
    letter: bool,
    history: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The facts the signed order (and, with `letter`, the letter) print, as plain data.

    `history` is the recorded clinical history's JSON form (case/history.py), kept beside the
    document. The letter prints it, so a letter's facts carry it; only once something is
    recorded, so a letter signed before any history was recorded is checked as it was signed.
    """
    patient = document.get("patient") or {}
    request = document.get("request") or {}
    facts: dict[str, Any] = {
        "patient": {key: patient.get(key) for key in PATIENT_KEYS},
        "payer": document.get("payer"),
        "diagnoses": list(document.get("diagnoses") or []),
        "request": {key: request.get(key) for key in ORDER_REQUEST_KEYS},
        "treating_practitioner": document.get("treating_practitioner"),
        "decision": status,
    }
    if letter:
        facts["patient"]["weight_lb"] = patient.get("weight_lb")
        for key in LETTER_KEYS:
            facts[key] = document.get(key)
        facts["also_requested"] = list(facts["also_requested"] or [])
        facts["trials"] = list(facts["trials"] or [])
        if history:
            facts["history"] = dict(history)
    return facts


@dataclass(frozen=True)
class Change:
    """One signed fact that differs: its name in words, and both values as printed."""

    path: str
    label: str
    before: str
    after: str

    def words(self) -> str:
        if self.before == self.after:  # a change too long or too structured to print
            return self.label
        return f"{self.label} {self.before} → {self.after}"


def changes(signed: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    """The signed facts that differ between what was signed and the case now, in order."""
    before, after = _flat(signed), _flat(now)
    found = []
    for path in _ordered(before, after):
        if before.get(path) != after.get(path):
            found.append(_change(path, before.get(path), after.get(path)))
    return found


def summary(found: list[Change]) -> str:
    """The changes in one line: "force 12 lb → 15 lb; minutes per session 15 min → 20 min"."""
    return "; ".join(change.words() for change in found)


def _flat(facts: dict[str, Any]) -> dict[str, Any]:
    flat = {}
    for key, value in facts.items():
        if key in ("patient", "request", "screening", "history") and isinstance(value, dict):
            for inner, item in value.items():
                flat[f"{key}.{inner}"] = item
        else:
            flat[key] = value
    return flat


def _ordered(before: dict, after: dict) -> list[str]:
    paths = list(before)
    paths += [path for path in after if path not in before]
    return paths


def _label(path: str) -> str:
    if path.startswith("history."):
        return case_history.LABELS.get(path.split(".", 1)[1], path)
    if path.startswith("screening."):
        return "screening: " + path.split(".", 1)[1].replace("_", " ")
    return LABELS.get(path, path.replace("_", " ").replace(".", " "))


def _change(path: str, before: Any, after: Any) -> Change:
    if path == "trials" or _free_text(path):  # name it, do not print it
        return Change(path, _label(path), "", "")
    return Change(path, _label(path), _shown(path, before), _shown(path, after))


def _free_text(path: str) -> bool:
    """A history fact in the clinician's own words: too long for a one-line warning."""
    return path.startswith("history.") and path.split(".", 1)[1] in case_history.TEXT_KEYS


def _shown(path: str, value: Any) -> str:
    if value is None or value == []:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):  # the treating practitioner
        return ", ".join(str(value.get(key)) for key in ("name", "credential") if value.get(key))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if path == "decision":
        return str(value).replace("_", " ")
    if path == "request.length_of_need_months" and isinstance(value, int):
        return in_months(value)
    if path == "history.imaging_kind":
        return case_history.STUDY_KINDS.get(str(value), str(value))
    unit = UNITS.get(path)
    return f"{value} {unit}" if unit else str(value)
