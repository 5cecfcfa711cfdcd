"""A case and its decision as a FHIR R4 Bundle (fhir.resources, R4B models): pure Python.

The Bundle (type `collection`) holds the Patient, the payer's Organization and the Coverage,
one Condition per diagnosis, the treating Practitioner, the DeviceRequest for the home unit and,
when a letter of medical necessity has been rendered, its DocumentReference. Entries refer to
each other by `urn:uuid:` ids derived from a stable key (the case id, or the document's digest),
so exporting the same case twice gives the same ids. Every resource is validated by the
library's models before it is returned: a Bundle that does not validate is never printed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from dme_service.case import Case
from dme_service.documents.wording import PAYER_NAMES
from dme_service.rules import codes
from dme_service.rules.decision import Decision

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# The HCPCS system Da Vinci PAS uses for DME DeviceRequests.
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
NPI = "http://hl7.org/fhir/sid/us-npi"
MBI = "http://hl7.org/fhir/sid/us-mbi"
UCUM = "http://unitsofmeasure.org"
DEGREES = "http://terminology.hl7.org/CodeSystem/v2-0360|2.7"
# v2 table 0360 has these credentials; DPM, PT, DC and OT are given as text only.
V2_DEGREES = frozenset({"MD", "DO", "PA", "NP", "CNS", "RN"})
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SELF_PAY = "http://terminology.hl7.org/CodeSystem/coverage-selfpay"
PAYER_IDS = "urn:dme-service:payer"
# RFC 6920 "Naming Things with Hashes": the SHA-256 of the PDF as a URI. FHIR R4's
# Attachment.hash is defined as SHA-1, so the stored SHA-256 travels as an identifier.
NI_SHA256 = "urn:ietf:rfc:6920"
PARAMETERS = "urn:dme-service:devicerequest-parameter"
_NAMESPACE = uuid.UUID("6f0c7d1e-3b9a-5c1e-9a51-2f1e4c2d7b10")


@dataclass(frozen=True, slots=True)
class Letter:
    """A rendered letter of medical necessity, as its DocumentReference describes it."""

    pdf: bytes
    created: datetime
    lang: str = "en"
    url: str | None = None
    version: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def ni_uri(self) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(self.pdf).digest()).rstrip(b"=")
        return "ni:///sha-256;" + digest.decode()


def bundle(
    case: Case,
    decision: Decision,
    *,
    now: datetime,
    key: str | None = None,
    letter: Letter | None = None,
    signed_at: datetime | None = None,
    payer_name: str | None = None,
) -> Bundle:
    """The validated Bundle for a case; `key` (e.g. "case-17") makes the entry ids stable."""
    ids = _Ids(key or _content_key(case))
    resources = [
        _patient(case, ids),
        _payer(case, ids, payer_name),
        _coverage(case, ids),
        *[_condition(case, code, i, ids) for i, code in enumerate(case.diagnoses)],
        _practitioner(case, ids),
        _device_request(case, decision, ids, letter is not None, signed_at),
    ]
    if letter is not None:
        resources.append(_document_reference(letter, ids, signed_at))
    entries = [{"fullUrl": ids.url(r.pop("_key")), "resource": r} for r in resources if r]
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": ids.url("bundle")},
            "type": "collection",
            "timestamp": now.isoformat(timespec="seconds"),
            "entry": entries,
        }
    )


def bundle_json(case: Case, decision: Decision, **options: Any) -> dict:
    """The Bundle as FHIR JSON (a dict), for the API and the command line."""
    return json.loads(bundle(case, decision, **options).model_dump_json())


class _Ids:
    """urn:uuid ids, one per resource, derived from the bundle's key (uuid5)."""

    def __init__(self, key: str) -> None:
        self.key = key

    def url(self, name: str) -> str:
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{self.key}/{name}')}"

    def ref(self, name: str, display: str | None = None) -> dict:
        reference = {"reference": self.url(name)}
        if display:
            reference["display"] = display
        return reference


def _content_key(case: Case) -> str:
    """Without a database id, the case's identity: patient, payer and first trial date."""
    first = case.trials[0].date.isoformat() if case.trials else ""
    text = "|".join((case.patient.member_id, case.patient.date_of_birth.isoformat(), first))
    return "doc-" + hashlib.sha256(f"{case.payer}|{text}".encode()).hexdigest()[:32]


def _patient(case: Case, ids: _Ids) -> dict:
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


def _payer(case: Case, ids: _Ids, payer_name: str | None) -> dict | None:
    if case.payer == "self_pay":
        return None  # the patient pays: Coverage.payor is the Patient
    return {
        "_key": "payer",
        "resourceType": "Organization",
        "identifier": [{"system": PAYER_IDS, "value": case.payer}],
        "name": payer_name or PAYER_NAMES.get(case.payer, case.payer),
        "type": [{"text": "Payer"}],
    }


def _coverage(case: Case, ids: _Ids) -> dict:
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


def _condition(case: Case, code: str, index: int, ids: _Ids) -> dict:
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


def _practitioner(case: Case, ids: _Ids) -> dict:
    practitioner = case.treating_practitioner
    qualification: dict[str, Any] = {"text": practitioner.credential}
    if practitioner.credential in V2_DEGREES:
        system, version = DEGREES.split("|")
        qualification["coding"] = [
            {"system": system, "version": version, "code": practitioner.credential}
        ]
    return {
        "_key": "practitioner",
        "resourceType": "Practitioner",
        "identifier": [{"system": NPI, "value": practitioner.npi}],
        "name": [{"text": practitioner.name}],
        "qualification": [{"code": qualification}],
    }


def _device_request(
    case: Case, decision: Decision, ids: _Ids, has_letter: bool, signed_at: datetime | None
) -> dict:
    request = case.request
    hcpcs = {"system": HCPCS, "code": request.hcpcs}
    if request.hcpcs in codes.HCPCS_DESCRIPTORS:
        hcpcs["display"] = codes.HCPCS_DESCRIPTORS[request.hcpcs]
    conditions = [ids.ref(f"condition-{i}", code) for i, code in enumerate(case.diagnoses)]
    device_request: dict[str, Any] = {
        "_key": "device-request",
        "resourceType": "DeviceRequest",
        # An order becomes active when its treating practitioner has signed it.
        "status": "active" if signed_at else "draft",
        "intent": "order",
        "codeCodeableConcept": {"coding": [hcpcs], "text": hcpcs.get("display", request.hcpcs)},
        "parameter": _parameters(case),
        "subject": ids.ref("patient"),
        "requester": ids.ref("practitioner", case.treating_practitioner.name),
        "reasonReference": conditions,
        "insurance": [ids.ref("coverage")],
        "note": [{"text": _decision_note(decision)}],
    }
    if signed_at is not None:
        device_request["authoredOn"] = signed_at.isoformat(timespec="seconds")
    timing = _timing(case)
    if timing:
        device_request["occurrenceTiming"] = timing
    if has_letter:
        device_request["supportingInfo"] = [
            ids.ref("letter", "Letter of medical necessity (PDF, SHA-256 in its identifier)")
        ]
    return device_request


def _parameters(case: Case) -> list[dict]:
    """Quantity 1 (R4 DeviceRequest has no quantity element) and the home force in pounds."""
    parameters = [
        {
            "code": {"coding": [{"system": PARAMETERS, "code": "quantity"}], "text": "Quantity"},
            "valueQuantity": {"value": 1, "unit": "unit", "system": UCUM, "code": "1"},
        }
    ]
    if case.request.force_lb is not None:
        parameters.append(
            {
                "code": {
                    "coding": [{"system": PARAMETERS, "code": "traction-force"}],
                    "text": "Traction force",
                },
                "valueQuantity": {
                    "value": case.request.force_lb,
                    "unit": "lb",
                    "system": UCUM,
                    "code": "[lb_av]",
                },
            }
        )
    return parameters


def _timing(case: Case) -> dict | None:
    """Minutes per session and sessions per day; the length of need bounds the order."""
    request = case.request
    repeat: dict[str, Any] = {}
    if request.sessions_per_day is not None:
        repeat.update(frequency=request.sessions_per_day, period=1, periodUnit="d")
    if request.minutes is not None:
        repeat.update(duration=request.minutes, durationUnit="min")
    if request.length_of_need_months is not None:
        repeat["boundsDuration"] = {
            "value": request.length_of_need_months,
            "unit": "months",
            "system": UCUM,
            "code": "mo",
        }
    if not repeat and not request.frequency_text:
        return None
    timing: dict[str, Any] = {}
    if repeat:
        timing["repeat"] = repeat
    if request.frequency_text:
        timing["code"] = {"text": request.frequency_text}
    return timing


def _decision_note(decision: Decision) -> str:
    text = f"Coverage decision ({decision.policy.payer}, {decision.policy.id}): {decision.status}"
    if decision.modifiers:
        text += f"; modifiers {', '.join(decision.modifiers)}"
    return text + "."


def _document_reference(letter: Letter, ids: _Ids, signed_at: datetime | None) -> dict:
    attachment: dict[str, Any] = {
        "contentType": "application/pdf",
        "language": letter.lang,
        "size": len(letter.pdf),
        "hash": _sha1_base64(letter.pdf),
        "title": "Letter of medical necessity",
        "creation": letter.created.isoformat(timespec="seconds"),
    }
    if letter.url:
        attachment["url"] = letter.url
    reference: dict[str, Any] = {
        "_key": "letter",
        "resourceType": "DocumentReference",
        "identifier": [{"system": NI_SHA256, "value": letter.ni_uri}],
        "status": "current",
        "docStatus": "final" if signed_at else "preliminary",
        "type": {"text": "Letter of medical necessity"},
        "subject": ids.ref("patient"),
        "date": letter.created.isoformat(timespec="seconds"),
        "author": [ids.ref("practitioner")],
        "description": f"SHA-256 {letter.sha256}",
        "content": [{"attachment": attachment}],
    }
    if letter.version is not None:
        reference["description"] += f"; version {letter.version}"
    return reference


def _sha1_base64(data: bytes) -> str:
    """FHIR R4 Attachment.hash: base64 of the SHA-1 (an identifier, not a security control)."""
    return base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()
