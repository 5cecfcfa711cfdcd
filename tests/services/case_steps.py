"""The standard Medicare over-door case (case-format.md's example, as the rules' factory builds
it), entered section by section through the case service, for service and web tests."""

from __future__ import annotations

import uuid

from rules.factories import a_case, a_trial

from dme_service.services.cases import edit as cases
from dme_service.services.cases.create import NewCase, create_case

# The example case's patient as the new-case form takes it (the weight is entered later).
PATIENT = {key: a_case()["patient"][key] for key in ("name", "date_of_birth", "member_id")}
TRIAL = a_trial()
ORDER_KEYS = ("onset_date", "abn_on_file", "also_requested")


def new_case(session, user, payer="medicare", key=None, **patient):
    """A new case for the example's patient (fields in `patient` replace theirs)."""
    fields = {**PATIENT, **patient}
    return create_case(session, user, NewCase(fields, payer, key or str(uuid.uuid4())))


def save(session, user, case, section, part, practitioner_id=None, *, confirm_void=False):
    """Save one section of `case` at its current version, as the section's form would
    (`confirm_void`: as confirmed on the warning that the save voids the signature)."""
    edit = cases.SectionEdit(section, part, practitioner_id)
    return cases.save_section(session, user, case.id, case.version, edit, confirm_void=confirm_void)


def standard_case(session, user, signer, payer="medicare", name=None, **changes):
    """A complete case: every section of the example case saved in turn, as a clinician would.

    `changes` may hold `trial`, `screening` and `request` overrides of the example's.
    """
    doc = a_case(payer, trial=changes.get("trial"), screening=changes.get("screening"))
    case = new_case(session, user, payer, **({"name": name} if name else {}))
    save(session, user, case, "diagnoses", {"diagnoses": doc["diagnoses"]})
    save(session, user, case, "trials", {"trials": doc["trials"]})
    save(session, user, case, "screening", {"screening": doc["screening"]})
    request = {**doc["request"], **changes.get("request", {})}
    save(session, user, case, "prescription", {"request": request})
    order = {key: doc[key] for key in ORDER_KEYS}
    return save(session, user, case, "order", order, practitioner_id=signer.id)
