"""The standard Medicare over-door case (case-format.md's example), entered section by section
through the case service, for service and web tests."""

from __future__ import annotations

import uuid

from dme_service.case import SCREENING_KEYS
from dme_service.services import cases
from dme_service.services.case_create import NewCase, create_case

PATIENT = {"name": "Jane Q. Doe", "date_of_birth": "1958-03-14", "member_id": "1EG4TE5MK73"}
TRIAL = {
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
REQUEST = {
    "hcpcs": "E0860",
    "force_lb": 12,
    "minutes": 15,
    "sessions_per_day": 2,
    "length_of_need_months": 3,
    "frequency_text": "15 minutes, twice daily",
}


def new_case(session, user, payer="medicare", key=None, **patient):
    fields = {**PATIENT, **patient}
    return create_case(session, user, NewCase(fields, payer, key or str(uuid.uuid4())))


def save(session, user, case, section, part, practitioner_id=None):
    edit = cases.SectionEdit(section, part, practitioner_id)
    return cases.save_section(session, user, case.id, case.version, edit)


def standard_case(session, user, signer, payer="medicare", name=None, **changes):
    """A complete case: every section saved in turn, as a clinician would."""
    case = new_case(session, user, payer, **({"name": name} if name else {}))
    save(session, user, case, "diagnoses", {"diagnoses": ["M50.122"]})
    save(session, user, case, "trials", {"trials": [{**TRIAL, **changes.get("trial", {})}]})
    screening = dict.fromkeys(SCREENING_KEYS, False) | changes.get("screening", {})
    save(session, user, case, "screening", {"screening": screening})
    save(
        session, user, case, "prescription", {"request": {**REQUEST, **changes.get("request", {})}}
    )
    order = {"onset_date": "2026-07-01", "abn_on_file": False, "also_requested": []}
    return save(session, user, case, "order", order, practitioner_id=signer.id)
