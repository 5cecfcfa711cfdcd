"""Stored cases for the signing and billing tests, written straight to the rows.

Independent of the clinician's forms: a complete case document (case-format.md's example)
goes through `case_format.parse` and `case_store.apply_parsed`, its decision sets `status`,
and `after_save.case_changed` routes it as a save would.
"""

from __future__ import annotations

import copy
import hashlib
import itertools

from rules.factories import TODAY
from sample_case import EXAMPLE

from dme_service.case.parse import parse
from dme_service.documents.types import RenderedDocument
from dme_service.models import Case, Patient
from dme_service.rules.engine import evaluate
from dme_service.services import after_save
from dme_service.store.cases import apply_parsed

# The contract's example (tests/sample_case.py) without the practitioner, who is a stored user
# here, and without the optional weight.
CASE_DOCUMENT = {key: value for key, value in EXAMPLE.items() if key != "treating_practitioner"}
CASE_DOCUMENT["patient"] = {k: v for k, v in EXAMPLE["patient"].items() if k != "weight_lb"}


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


def home_then_clinic_trials() -> list[dict]:
    """The example's home-unit trial on Oct 1, then a clinic mechanical trial on Oct 3 that
    records no home-use answers: the decision rests on the earlier home-unit trial."""
    home = {**CASE_DOCUMENT["trials"][0], "date": "2026-10-01"}
    clinic = {
        **home,
        "date": "2026-10-03",
        "device": "mechanical",
        "position": "supine",
        "force_lb": 15,
        "pain_before": 6,
        "pain_after": 2,
        "use_demonstrated": None,
        "tolerated": None,
    }
    return [home, clinic]


def stored_case(session, author, signer, *, notes=None, patient_name=None, **changes) -> Case:
    """A committed case of the author's clinic, decided and routed like a saved case."""
    document = case_document(signer, **changes)
    if patient_name:
        document["patient"]["name"] = patient_name
    parsed = parse(document, today=TODAY)
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
    after_save.case_changed(session, case, author)
    session.commit()
    return case


def fake_render(inputs, render=None):
    """Stand-in for signing's WeasyPrint render (signing._render_signed) in the many-step
    tests: distinct bytes per kind and render."""
    out = {}
    serial = next(_RENDERS)
    for kind in inputs["kinds"]:
        pdf = f"%PDF-1.7 {kind} {serial} {inputs['now'].isoformat()}".encode()
        out[kind] = RenderedDocument(kind, pdf, hashlib.sha256(pdf).hexdigest(), 1, kind, "en")
    return out


_RENDERS = itertools.count(1)
