"""A case and its decision as a FHIR R4 Bundle (fhir.resources, R4B models): pure Python.

The Bundle (type `collection`) holds the Patient, the payer's Organization and the Coverage,
one Condition per diagnosis (fhir/patient.py), the treating Practitioner, the DeviceRequest
for the home unit (fhir/order.py) and, when a letter of medical necessity has been rendered,
its DocumentReference (fhir/letter.py). Entries refer to each other by `urn:uuid:` ids derived
from a stable key (the case id, or the document's digest), so exporting the same case twice
gives the same ids (fhir/ids.py). Every resource is validated by the library's models before
it is returned: a Bundle that does not validate is never printed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from dme_service.case.model import Case
from dme_service.fhir import order, patient
from dme_service.fhir.ids import Ids
from dme_service.fhir.letter import Letter, document_reference

# The code systems are part of this package's face: callers check exported codings by them.
from dme_service.fhir.systems import HCPCS, ICD10CM, MBI, NI_SHA256, NPI, UCUM
from dme_service.rules.decision import Decision

__all__ = [
    "HCPCS",
    "ICD10CM",
    "MBI",
    "NI_SHA256",
    "NPI",
    "UCUM",
    "Letter",
    "bundle",
    "bundle_json",
]


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
    ids = Ids(key or _content_key(case))
    resources = [
        patient.patient(case, ids),
        patient.payer(case, ids, payer_name),
        patient.coverage(case, ids),
        *[patient.condition(case, code, i, ids) for i, code in enumerate(case.diagnoses)],
        order.practitioner(case, ids),
        order.device_request(case, decision, ids, letter is not None, signed_at),
    ]
    if letter is not None:
        resources.append(document_reference(letter, ids, signed_at))
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


def _content_key(case: Case) -> str:
    """Without a database id, the case's identity: patient, payer and first trial date."""
    first = case.trials[0].date.isoformat() if case.trials else ""
    text = "|".join((case.patient.member_id, case.patient.date_of_birth.isoformat(), first))
    return "doc-" + hashlib.sha256(f"{case.payer}|{text}".encode()).hexdigest()[:32]
