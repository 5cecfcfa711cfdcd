"""Stored cases for the signing and billing tests, written straight to the rows.

Independent of the clinician's forms: a complete case document (case-format.md's example)
goes through `case_format.parse` and `case_store.apply_parsed`, its decision sets `status`,
and `signing.on_case_changed` routes it as a save would.
"""

from __future__ import annotations

import copy
from datetime import date

from dme_service.case import SCREENING_KEYS
from dme_service.case_format import parse
from dme_service.models import Case, Patient
from dme_service.rules.engine import evaluate
from dme_service.services import signing
from dme_service.services.case_store import apply_parsed

CASE_DOCUMENT = {
    "format": "dme-case/1",
    "patient": {"name": "Jane Q. Doe", "date_of_birth": "1958-03-14", "member_id": "1EG4TE5MK73"},
    "payer": "medicare",
    "diagnoses": ["M50.122"],
    "onset_date": "2026-07-01",
    "trials": [
        {
            "date": "2026-10-02",
            "device": "E0860",
            "position": "seated",
            "force_lb": 12,
            "minutes": 15,
            "pain_before": 7,
            "pain_after": 3,
            "peripheralization": False,
            "new_neuro_signs": False,
            "use_demonstrated": True,
            "tolerated": True,
        }
    ],
    "screening": dict.fromkeys(SCREENING_KEYS, False),
    "request": {
        "hcpcs": "E0860",
        "force_lb": 12,
        "minutes": 15,
        "sessions_per_day": 2,
        "length_of_need_months": 3,
        "frequency_text": "15 minutes, twice daily",
    },
    "also_requested": [],
    "abn_on_file": False,
    "prior_devices": [],
}


def case_document(signer, **changes) -> dict:
    """The example document with `signer` as treating practitioner and top-level changes."""
    document = copy.deepcopy(CASE_DOCUMENT)
    document["treating_practitioner"] = {
        "name": signer.name,
        "npi": signer.npi or "",
        "credential": signer.credential or "",
    }
    document.update(copy.deepcopy(changes))
    return document


def stored_case(session, author, signer, *, notes=None, patient_name=None, **changes) -> Case:
    """A committed case of the author's clinic, decided and routed like a saved case."""
    document = case_document(signer, **changes)
    if patient_name:
        document["patient"]["name"] = patient_name
    parsed = parse(document, today=date(2026, 11, 23))
    patient = Patient(
        clinic_id=author.clinic_id,
        name=parsed.patient.name,
        date_of_birth=parsed.patient.date_of_birth,
        member_id=parsed.patient.member_id,
    )
    case = Case(
        clinic_id=author.clinic_id,
        patient=patient,
        status=evaluate(parsed).status,
        treating_practitioner_id=signer.id,
        author_id=author.id,
        created_by_id=author.id,
        updated_by_id=author.id,
        notes=notes,
    )
    apply_parsed(case, parsed)
    session.add(case)
    session.flush()
    signing.on_case_changed(session, case, author)
    session.commit()
    return case
