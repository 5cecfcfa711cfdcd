"""The sections of the case page, as parts of the dme-case/1 document and as rows.

Each section owns some top-level keys of the document. Saving a section replaces those keys
in the stored case's document, the whole document is parsed, and only that section's rows
are written from the parsed case (`apply`), so one section's save never rewrites another's.

The history section edits the clinical history kept beside the document (case/history.py):
the page's document (`document_of`) carries it under the key "history", which is taken off
before the case document is parsed and judged by the history's own parser.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dme_service import models
from dme_service.case.history import ClinicalHistory
from dme_service.case.model import Case as ParsedCase
from dme_service.store.cases import apply_section, to_document
from dme_service.store.history import apply_history, history_document

HISTORY = "history"  # the page document's key for the history kept beside the case document

# section -> the top-level document keys it edits (case-format.md names).
SECTIONS: dict[str, tuple[str, ...]] = {
    "patient": ("patient", "payer"),
    "diagnoses": ("diagnoses",),
    "trials": ("trials",),
    "screening": ("screening",),
    "prescription": ("request",),
    "order": (
        "treating_practitioner",
        "onset_date",
        "abn_on_file",
        "also_requested",
        "prior_devices",
    ),
    # Beside the document, not part of dme-case/1 (docs/case-format.md "Kept beside").
    "history": (HISTORY,),
}

# A draft may not have a diagnosis or a treating practitioner yet, and the contract requires
# both. To check everything else with the one parser, each missing part is filled, for the
# parse only, with a value no other field's check depends on (no cross-field rule reads
# diagnoses or the practitioner). `apply` copies only the saved section from the parse, so
# these never reach a row, and `decide` parses the real document: a draft stays a draft.
_DRAFT_GAPS: dict[str, Any] = {
    "diagnoses": ["M50.122"],
    "treating_practitioner": {"name": "Draft check", "npi": "1234567893", "credential": "MD"},
}


def document_of(case: models.Case) -> dict[str, Any]:
    """The case as the page's sections edit it: its dme-case/1 document and, under "history",
    the clinical history recorded beside it (absent when nothing is recorded)."""
    document = to_document(case)
    history = history_document(case)
    if history:
        document[HISTORY] = history
    return document


def case_document(document: dict[str, Any]) -> dict[str, Any]:
    """The dme-case/1 document alone (the history taken off), for the parser."""
    return {key: value for key, value in document.items() if key != HISTORY}


def section_of(path: str) -> str | None:
    """The section that holds a dotted error path (`trials[0].pain_after` -> `trials`)."""
    top = path.split(".", 1)[0].split("[", 1)[0]
    for section, keys in SECTIONS.items():
        if top in keys:
            return section
    return None


def part_of(section: str, document: dict[str, Any]) -> dict[str, Any]:
    """The section's keys of a document (absent keys as None)."""
    return {key: copy.deepcopy(document.get(key)) for key in SECTIONS[section]}


def merged(document: dict[str, Any], section: str, part: dict[str, Any]) -> dict[str, Any]:
    """The document with the section's keys replaced by `part` (None means absent)."""
    result = {k: v for k, v in document.items() if k not in SECTIONS[section]}
    for key in SECTIONS[section]:
        if part.get(key) is not None:
            result[key] = copy.deepcopy(part[key])
    return result


def for_validation(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a draft's missing diagnoses/practitioner filled for the parse only."""
    result = dict(document)
    for key, stand_in in _DRAFT_GAPS.items():
        if not result.get(key):
            result[key] = copy.deepcopy(stand_in)
    return result


def _without_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nones(v) for v in value]
    return value


def same_part(section: str, part: dict[str, Any], document: dict[str, Any]) -> bool:
    """True when `part` says what the document already holds for the section."""
    stored = _without_nones(part_of(section, document))
    wanted = _without_nones({key: part.get(key) for key in SECTIONS[section]})
    for key in SECTIONS[section]:
        if stored.get(key) in (None, [], False) and wanted.get(key) in (None, [], False):
            stored.pop(key, None)
            wanted.pop(key, None)
    return stored == wanted


def apply(
    session: Session,
    case: models.Case,
    section: str,
    parsed: ParsedCase,
    practitioner_id: int | None = None,
    *,
    user: models.User | None = None,
    trial_notes: tuple[str | None, ...] | None = None,
    history: ClinicalHistory | None = None,
) -> None:
    """Write one section of the parsed case onto the case's rows (the caller commits): the
    patient row and the treating practitioner here, the rest by store.cases.apply_section.

    `user` is who saves: a new trial is recorded as run by them (store.cases.trial_rows).
    `history` is the judged history, for the history section.
    """
    if section == HISTORY:
        apply_history(case, history or ClinicalHistory())
        return
    if section == "patient":
        _apply_patient(session, case, parsed)
    elif section == "order":
        # The relationship, not just the id: the decision is built from it in this transaction.
        case.treating_practitioner = (
            None if practitioner_id is None else session.get(models.User, practitioner_id)
        )
    apply_section(case, section, parsed, user, trial_notes)


def _apply_patient(session: Session, case: models.Case, parsed: ParsedCase) -> None:
    patient = case.patient
    shared = session.scalar(
        select(func.count(models.Case.id)).where(
            models.Case.patient_id == patient.id, models.Case.id != case.id
        )
    )
    if shared:
        # Another case (maybe signed) names this patient row: edit a copy, never theirs.
        patient = models.Patient(clinic_id=case.clinic_id)
        case.patient = patient
    patient.name = parsed.patient.name
    patient.date_of_birth = parsed.patient.date_of_birth
    patient.member_id = parsed.patient.member_id.strip()
    patient.weight_lb = parsed.patient.weight_lb
