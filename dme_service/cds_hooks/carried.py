"""What a hook call carried for one order, as a partial case document (docs/case-format.md).

Only fields the EHR sent are filled; the rest (the trial, the screening) is for the clinician
to record in the service. The payer comes from the order's Coverage (fhir/payer_match.py).
"""

from __future__ import annotations

from typing import Any

from dme_service.cds_hooks.hook_request import HookRequest
from dme_service.fhir import payer_match, reading
from dme_service.fhir.reading import Chart


def case_part(request: HookRequest, chart: Chart, order: dict) -> dict[str, Any]:
    """The partial case document for this order (keys as in a dme-case/1 document)."""
    patient = _patient(request, chart, order)
    coverage = _coverage(chart, order)
    conditions = chart.all("Condition")
    document: dict[str, Any] = {"format": "dme-case/1"}
    payer = payer_match.payer_of(coverage, chart.resolve) if coverage else None
    if payer:
        document["payer"] = payer
    person = reading.patient_part(patient, coverage)
    if person:
        document["patient"] = person
    document["diagnoses"] = reading.diagnoses(conditions)
    onset = reading.onset_date(conditions)
    if onset:
        document["onset_date"] = onset
    document["request"] = reading.request_part(order)
    practitioner = reading.practitioner_part(_practitioner(request, chart, order))
    if practitioner:
        document["treating_practitioner"] = practitioner
    return document


def _patient(request: HookRequest, chart: Chart, order: dict) -> dict | None:
    patient_id = request.context.get("patientId")
    if isinstance(patient_id, str):
        found = chart.resolve({"reference": f"Patient/{patient_id}"})
        if found is not None:
            return found
    return chart.resolve(order.get("subject")) or chart.first("Patient")


def _coverage(chart: Chart, order: dict) -> dict | None:
    for reference in order.get("insurance") or []:
        found = chart.resolve(reference)
        if found is not None and found.get("resourceType") == "Coverage":
            return found
    active = [c for c in chart.all("Coverage") if c.get("status") == "active"]
    return active[0] if active else None


def _practitioner(request: HookRequest, chart: Chart, order: dict) -> dict | None:
    for reference in (order.get("requester"), {"reference": request.context.get("userId")}):
        found = chart.resolve(reference)
        if found is not None and found.get("resourceType") == "Practitioner":
            return found
    return None
