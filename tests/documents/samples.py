"""Cases and their real decisions for the document tests, built on the rules' factories."""

from __future__ import annotations

from datetime import UTC, datetime

from rules.factories import TODAY, a_case

from dme_service.case_format import parse
from dme_service.documents.wording import Clinic, Signature
from dme_service.rules.engine import evaluate

NOW = datetime(2026, 11, 23, 15, 4, tzinfo=UTC)
CLINIC = Clinic(name="Riverside Spine & PT", phone="(555) 010-2000", address="12 Main St")
SIGNED = Signature(name="Sam Lee", credential="MD", npi="1234567893", signed_at=NOW)
PATIENT = {
    "name": "Jane Q. Doe",
    "date_of_birth": "1958-03-14",
    "member_id": "1EG4TE5MK73",
    "weight_lb": 160,
}


def case_and_decision(*args, patient_name: str | None = None, **changes):
    """(Case, Decision) for `a_case(*args, **changes)`, optionally renaming the patient."""
    doc = a_case(*args, **changes)
    if patient_name is not None:
        doc["patient"] = {**PATIENT, "name": patient_name}
    case = parse(doc, today=TODAY)
    return case, evaluate(case)
