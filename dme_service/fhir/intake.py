"""A case document from a FHIR R4 Bundle: the intake of `POST /api/v1/cases` and
`dme-service import-fhir` (docs/case-format.md).

The Bundle holds one Patient, the Coverage (and its payer Organization), the Conditions, the
treating Practitioner and one DeviceRequest for a home cervical traction code; the service's own
export (fhir.bundle) is such a Bundle. Every resource the intake reads must validate with
fhir.resources; a problem names its entry (`entry[2].resource.birthDate`). What a Bundle cannot
carry, the supervised trial and the screening, is left out of the document, so the case opens
with them still to record and its decision (`incomplete`) lists them in `missing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dme_service.fhir import payer_match, reading, resources
from dme_service.fhir.reading import Chart

CODES = "E0860, E0849, E0855, E0840, E0850, E0856 or E0941"

# Case-document paths (case_format's field errors) as the FHIR elements they came from.
FHIR_FIELDS = (
    ("patient.name", "Patient.name"),
    ("patient.date_of_birth", "Patient.birthDate"),
    ("patient.member_id", "Patient.identifier (member id) or Coverage.subscriberId"),
    ("patient", "Patient"),
    ("payer", "Coverage.payor"),
    ("diagnoses", "Condition.code"),
    ("onset_date", "Condition.onsetDateTime"),
    ("request.hcpcs", "DeviceRequest.codeCodeableConcept"),
    ("request.force_lb", "DeviceRequest.parameter (traction-force)"),
    ("request.minutes", "DeviceRequest.occurrenceTiming.repeat.duration"),
    ("request.sessions_per_day", "DeviceRequest.occurrenceTiming.repeat.frequency"),
    ("request.length_of_need_months", "DeviceRequest.occurrenceTiming.repeat.boundsDuration"),
    ("request.frequency_text", "DeviceRequest.occurrenceTiming.code.text"),
    ("request", "DeviceRequest"),
    ("treating_practitioner.name", "Practitioner.name"),
    ("treating_practitioner.npi", "Practitioner.identifier (NPI)"),
    ("treating_practitioner.credential", "Practitioner.qualification"),
    ("treating_practitioner", "Practitioner"),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the Bundle: the field (a FHIR path) and what is wrong."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class BundleInvalid(ValueError):
    def __init__(self, errors: list[Problem]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def is_bundle(value: object) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "Bundle"


def case_document(bundle: object) -> dict[str, Any]:
    """The dme-case/1 document the Bundle describes (not yet parsed), or BundleInvalid."""
    if not is_bundle(bundle):
        raise BundleInvalid([Problem("resourceType", "must be Bundle (a FHIR R4 Bundle)")])
    chart, problems = _read(bundle)
    if problems:
        raise BundleInvalid(problems)
    patient = _one(chart, "Patient", problems)
    order = _order(chart, problems)
    if problems:
        raise BundleInvalid(problems)
    coverage = _coverage(chart, order, patient)
    payer = payer_match.payer_of(coverage, chart.resolve) if coverage else None
    if payer is None:
        message = (
            "no Coverage whose plan class is a payer id or whose payor is a known payer"
            if coverage is None
            else "the payer is not known: give a plan class with a payer id (e.g. medicare)"
        )
        raise BundleInvalid([Problem("Coverage.payor", message)])
    conditions = _conditions(chart, order)
    document: dict[str, Any] = {
        "format": "dme-case/1",
        "patient": reading.patient_part(patient, coverage),
        "payer": payer,
        "diagnoses": reading.diagnoses(conditions),
        "request": reading.request_part(order),
    }
    onset = reading.onset_date(conditions)
    if onset:
        document["onset_date"] = onset
    practitioner = chart.resolve(order.get("requester")) or chart.first("Practitioner")
    if practitioner is not None and practitioner.get("resourceType") == "Practitioner":
        document["treating_practitioner"] = reading.practitioner_part(practitioner)
    return document


def fhir_field(path: str) -> str:
    """A case-document path (`diagnoses[0]`) as the FHIR element it came from."""
    for prefix, element in FHIR_FIELDS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return element + path[len(prefix) :] if path.startswith(prefix + "[") else element
    return path


def _read(bundle: dict) -> tuple[Chart, list[Problem]]:
    found, problems = [], []
    for index, resource in resources.entries(bundle):
        if not isinstance(resource.get("resourceType"), str):
            problems.append(Problem(f"entry[{index}].resource.resourceType", "must be a string"))
            continue
        if not resources.is_read(resource):
            continue  # e.g. the export's DocumentReference: not case facts
        for problem in resources.problems(resource):
            field = f"entry[{index}].resource" + (f".{problem.path}" if problem.path else "")
            problems.append(Problem(field, problem.message))
        entry = bundle["entry"][index]
        found.append(
            (entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None, resource)
        )
    return Chart(found), problems


def _one(chart: Chart, kind: str, problems: list[Problem]) -> dict | None:
    found = chart.all(kind)
    if len(found) != 1:
        problems.append(Problem(kind, f"the Bundle must hold one {kind}, not {len(found)}"))
        return None
    return found[0]


def _order(chart: Chart, problems: list[Problem]) -> dict | None:
    orders = [r for r in chart.all("DeviceRequest") if reading.traction_code(r)]
    if len(orders) != 1:
        problems.append(
            Problem(
                "DeviceRequest",
                f"the Bundle must hold one DeviceRequest coded {CODES} (HCPCS), not {len(orders)}",
            )
        )
        return None
    return orders[0]


def _coverage(chart: Chart, order: dict, patient: dict) -> dict | None:
    for reference in order.get("insurance") or []:
        found = chart.resolve(reference)
        if found is not None and found.get("resourceType") == "Coverage":
            return found
    coverages = chart.all("Coverage")
    active = [c for c in coverages if c.get("status") == "active"]
    return (active or coverages or [None])[0]


def _conditions(chart: Chart, order: dict) -> list[dict]:
    """The order's reasons when it names them, else every Condition of the Bundle."""
    reasons = [chart.resolve(r) for r in order.get("reasonReference") or []]
    reasons = [r for r in reasons if r is not None and r.get("resourceType") == "Condition"]
    return reasons or chart.all("Condition")
