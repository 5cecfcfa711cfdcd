"""The order's resources of the Bundle: the treating Practitioner and the DeviceRequest for the
home unit (code, dose, timing and the coverage decision as a note)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dme_service.case.model import Case
from dme_service.coding import codes
from dme_service.fhir.ids import Ids
from dme_service.fhir.systems import DEGREES, HCPCS, NPI, PARAMETERS, UCUM, V2_DEGREES
from dme_service.rules.decision import Decision


def practitioner(case: Case, ids: Ids) -> dict:
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


def device_request(
    case: Case, decision: Decision, ids: Ids, has_letter: bool, signed_at: datetime | None
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
