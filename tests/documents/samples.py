"""Cases and their real decisions for the document tests, built on the rules' factories."""

from __future__ import annotations

from rules.factories import TODAY, a_case
from sample_case import NOW

from dme_service.case.parse import parse
from dme_service.documents.wording import Clinic, Signature
from dme_service.rules.engine import evaluate

CLINIC = Clinic(name="Riverside Spine & PT", phone="(555) 010-2000", address="12 Main St")
# The example case's treating practitioner, signing at the tests' clock.
SIGNED = Signature(**a_case()["treating_practitioner"], signed_at=NOW)


def case_and_decision(*args, patient_name: str | None = None, **changes):
    """(Case, Decision) for `a_case(*args, **changes)`, optionally renaming the patient."""
    doc = a_case(*args, **changes)
    if patient_name is not None:
        doc["patient"] = {**a_case()["patient"], "name": patient_name}
    case = parse(doc, today=TODAY)
    return case, evaluate(case)
