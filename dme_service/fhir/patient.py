"""The patient's resources of the Bundle: the Patient, the payer's Organization, the Coverage
and one Condition per diagnosis, as FHIR JSON dicts keyed for the Bundle (`_key`)."""

from __future__ import annotations

from typing import Any

from dme_service.case.model import Case
from dme_service.coding import codes
from dme_service.fhir.ids import Ids
from dme_service.fhir.systems import (
    CLINICAL_STATUS,
    CONDITION_CATEGORY,
    ICD10CM,
    MBI,
    PAYER_IDS,
    SELF_PAY,
    VERIFICATION,
)
from dme_service.rules.wording import PAYER_NAMES


def patient(case: Case, ids: Ids) -> dict:
    patient = case.patient
    member = {"value": patient.member_id}
    if case.payer == "medicare":  # the member id is the Medicare Beneficiary Identifier
        member["system"] = MBI
    return {
        "_key": "patient",
        "resourceType": "Patient",
        "identifier": [{"type": {"text": "Member ID"}, **member}],
        "name": [{"text": patient.name}],
        "birthDate": patient.date_of_birth.isoformat(),
    }


def payer(case: Case, ids: Ids, payer_name: str | None) -> dict | None:
    if case.payer == "self_pay":
        return None  # the patient pays: Coverage.payor is the Patient
    return {
        "_key": "payer",
        "resourceType": "Organization",
        "identifier": [{"system": PAYER_IDS, "value": case.payer}],
        "name": payer_name or PAYER_NAMES.get(case.payer, case.payer),
        "type": [{"text": "Payer"}],
    }


def coverage(case: Case, ids: Ids) -> dict:
    coverage: dict[str, Any] = {
        "_key": "coverage",
        "resourceType": "Coverage",
        "status": "active",
        "beneficiary": ids.ref("patient"),
        "subscriberId": case.patient.member_id,
        "relationship": {"text": "Self"},
    }
    if case.payer == "self_pay":
        coverage["type"] = {"coding": [{"system": SELF_PAY, "code": "pay", "display": "Pay"}]}
        coverage["payor"] = [ids.ref("patient")]
    else:
        coverage["payor"] = [ids.ref("payer")]
    return coverage


def condition(case: Case, code: str, index: int, ids: Ids) -> dict:
    found = codes.lookup(code)
    coding = {"system": ICD10CM, "code": code}
    if found is not None:
        coding["display"] = found.descriptor
    condition: dict[str, Any] = {
        "_key": f"condition-{index}",
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": CLINICAL_STATUS, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": VERIFICATION, "code": "confirmed"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
        "code": {"coding": [coding], "text": coding.get("display", code)},
        "subject": ids.ref("patient"),
    }
    if case.onset_date is not None:
        condition["onsetDateTime"] = case.onset_date.isoformat()
    return condition
