"""Sample cases and decisions for the document tests: the contract's example, varied per test."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from dme_service.case import SCREENING_KEYS
from dme_service.case_format import parse
from dme_service.documents.wording import Clinic, Signature
from dme_service.rules.decision import Decision, PolicyRef, Reason, Warning

NOW = datetime(2026, 11, 23, 15, 4, tzinfo=UTC)
CLINIC = Clinic(name="Riverside Spine & PT", phone="(555) 010-2000", address="12 Main St")
SIGNED = Signature(name="Sam Lee", credential="MD", npi="1234567893", signed_at=NOW)

EXAMPLE = {
    "format": "dme-case/1",
    "patient": {
        "name": "Jane Q. Doe",
        "date_of_birth": "1958-03-14",
        "member_id": "1EG4TE5MK73",
        "weight_lb": 160,
    },
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
    "treating_practitioner": {"name": "Sam Lee", "npi": "1234567893", "credential": "MD"},
    "abn_on_file": False,
    "prior_devices": [],
}


def case_doc(**changes) -> dict:
    """The contract's example with dotted-path changes: case_doc(**{"request.force_lb": 25})."""
    doc = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        target = doc
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return doc


def a_case(**changes):
    return parse(case_doc(**changes), today=NOW.date())


def a_decision(case, status: str = "eligible", **fields) -> Decision:
    """A decision as the engine would give it for the Medicare pack."""
    met = status == "eligible"
    values = {
        "status": status,
        "requested_hcpcs": case.request.hcpcs,
        "recommended_hcpcs": case.request.hcpcs if met else None,
        "modifiers": (),
        "trial_response": "improved",
        "contraindications": (),
        "missing": (),
        "warnings": (Warning("INVERSION_TABLE_UNSUPERVISED", "Do not use inversion tables."),),
        "reasons": (
            Reason(
                "L33823.criterion1",
                True,
                "The beneficiary has a musculoskeletal or neurologic impairment requiring "
                "traction equipment",
                "LCD L33823 criterion 1",
            ),
            Reason(
                "L33823.criterion2",
                met,
                "Appropriate use of a home cervical traction device has been demonstrated "
                "to the beneficiary and the beneficiary tolerated the selected device",
                "LCD L33823 criterion 2",
            ),
        ),
        "policy": PolicyRef("medicare", "L33823 / A52476", "2020-01-01"),
    }
    values.update(fields)
    return Decision(**values)
