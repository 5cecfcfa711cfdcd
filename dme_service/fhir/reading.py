"""What FHIR R4 resources say in case-document terms (docs/case-format.md), as plain dicts.

The readers take resources already validated (fhir/resources.py) and return only what the
resources carry: a field the EHR did not send is left out, never guessed. A `Chart` holds the
resources of one request or Bundle and resolves the references between them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dme_service.case.model import HOME_DEVICES
from dme_service.coding import codes
from dme_service.fhir.systems import HCPCS_SYSTEMS, ICD10CM, IDENTIFIER_TYPE, MBI, NPI

# Condition states that are not a current diagnosis of the order.
INACTIVE = frozenset({"inactive", "remission", "resolved"})
NOT_A_DIAGNOSIS = frozenset({"refuted", "entered-in-error"})
FORCE_UNITS = frozenset({"[lb_av]", "lb", "lbs"})


class Chart:
    """The resources of one request, by type, and their references resolved."""

    def __init__(self, resources: Iterable[tuple[str | None, dict]]) -> None:
        self.by_type: dict[str, list[dict]] = {}
        self._by_reference: dict[str, dict] = {}
        for full_url, resource in resources:
            kind = resource["resourceType"]
            if any(resource is seen for seen in self.by_type.get(kind, [])):
                continue
            self.by_type.setdefault(kind, []).append(resource)
            if resource.get("id"):
                self._by_reference.setdefault(f"{kind}/{resource['id']}", resource)
            if full_url:
                self._by_reference.setdefault(full_url, resource)

    def all(self, kind: str) -> list[dict]:
        return self.by_type.get(kind, [])

    def first(self, kind: str) -> dict | None:
        found = self.all(kind)
        return found[0] if found else None

    def resolve(self, reference: object) -> dict | None:
        """The resource a Reference points to (`Type/id`, a full URL or `urn:uuid:`)."""
        if not isinstance(reference, dict) or not isinstance(reference.get("reference"), str):
            return None
        text = reference["reference"]
        if text in self._by_reference:
            return self._by_reference[text]
        tail = "/".join(text.rstrip("/").split("/")[-2:])  # https://ehr/fhir/Patient/1
        return self._by_reference.get(tail)


def traction_code(device_request: dict) -> str | None:
    """The home cervical traction HCPCS code the order asks for, or None."""
    concept = device_request.get("codeCodeableConcept") or {}
    for coding in concept.get("coding") or []:
        code = str(coding.get("code") or "").strip().upper()
        if coding.get("system") in HCPCS_SYSTEMS and code in HOME_DEVICES:
            return code
    return None


def patient_part(patient: dict | None, coverage: dict | None) -> dict[str, Any]:
    """`patient`: name, date of birth and member id as far as the resources carry them."""
    part: dict[str, Any] = {}
    if patient is not None:
        name = _name(patient.get("name") or [])
        if name:
            part["name"] = name
        birth = patient.get("birthDate")
        if isinstance(birth, str) and len(birth) == 10:  # a full date, not a year
            part["date_of_birth"] = birth
    member = _member_id(patient or {}) or (coverage or {}).get("subscriberId")
    if member:
        part["member_id"] = str(member).strip()
    return part


def diagnoses(conditions: Iterable[dict]) -> list[str]:
    """The ICD-10-CM codes of the current Conditions, dotted, in order, each once."""
    found: list[str] = []
    for condition in conditions:
        if not _is_current(condition):
            continue
        for coding in (condition.get("code") or {}).get("coding") or []:
            if coding.get("system") != ICD10CM or not coding.get("code"):
                continue
            code = _dotted(str(coding["code"]))
            if code not in found:
                found.append(code)
    return found


def onset_date(conditions: Iterable[dict]) -> str | None:
    """The earliest onset (a full date) of the current Conditions."""
    dates = [
        str(c["onsetDateTime"])[:10]
        for c in conditions
        if _is_current(c) and isinstance(c.get("onsetDateTime"), str)
    ]
    dates = [d for d in dates if len(d) == 10]
    return min(dates) if dates else None


def practitioner_part(practitioner: dict | None) -> dict[str, Any]:
    """`treating_practitioner`: name, NPI and credential as far as the Practitioner says."""
    if practitioner is None:
        return {}
    part: dict[str, Any] = {}
    name = _name(practitioner.get("name") or [])
    if name:
        part["name"] = name
    for identifier in practitioner.get("identifier") or []:
        if identifier.get("system") == NPI and identifier.get("value"):
            part["npi"] = str(identifier["value"]).strip()
            break
    for qualification in practitioner.get("qualification") or []:
        concept = qualification.get("code") or {}
        codings = [c for c in concept.get("coding") or [] if c.get("code")]
        credential = codings[0]["code"] if codings else concept.get("text")
        if credential:
            part["credential"] = str(credential).strip().upper()
            break
    return part


def request_part(device_request: dict) -> dict[str, Any]:
    """`request`: the code, the force and the schedule the DeviceRequest carries."""
    part: dict[str, Any] = {}
    code = traction_code(device_request)
    if code:
        part["hcpcs"] = code
    force = _force_lb(device_request)
    if force is not None:
        part["force_lb"] = force
    timing = device_request.get("occurrenceTiming") or {}
    repeat = timing.get("repeat") or {}
    if repeat.get("durationUnit") == "min" and _number(repeat.get("duration")):
        part["minutes"] = repeat["duration"]
    if repeat.get("periodUnit") == "d" and repeat.get("period") == 1 and repeat.get("frequency"):
        part["sessions_per_day"] = repeat["frequency"]
    bounds = repeat.get("boundsDuration") or {}
    if bounds.get("code") == "mo" and _number(bounds.get("value")):
        part["length_of_need_months"] = bounds["value"]
    text = (timing.get("code") or {}).get("text")
    if isinstance(text, str) and text.strip():
        part["frequency_text"] = text.strip()
    return part


def _force_lb(device_request: dict) -> float | int | None:
    for parameter in device_request.get("parameter") or []:
        codings = (parameter.get("code") or {}).get("coding") or []
        quantity = parameter.get("valueQuantity") or {}
        is_force = any(c.get("code") == "traction-force" for c in codings)
        unit = quantity.get("code") or quantity.get("unit")
        if is_force and unit in FORCE_UNITS and _number(quantity.get("value")):
            return quantity["value"]
    return None


def _dotted(code: str) -> str:
    """M50122 -> M50.122 when it is an ICD-10-CM code; otherwise as sent, for the parser."""
    found = codes.lookup(code)
    return found.code if found is not None else code.strip().upper()


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _name(names: list[dict]) -> str | None:
    """The official (else the first current) HumanName as one line: text, else given family."""
    current = [n for n in names if not (n.get("period") or {}).get("end")]
    chosen = next(
        (n for n in names if n.get("use") == "official"),
        (current or names or [None])[0],
    )
    if not chosen:
        return None
    if chosen.get("text"):
        return str(chosen["text"]).strip() or None
    words = [*(chosen.get("given") or []), chosen.get("family") or ""]
    return " ".join(str(w).strip() for w in words if str(w).strip()) or None


def _member_id(patient: dict) -> str | None:
    for identifier in patient.get("identifier") or []:
        kind = identifier.get("type") or {}
        coded = any(
            c.get("system") == IDENTIFIER_TYPE and c.get("code") == "MB"
            for c in kind.get("coding") or []
        )
        if identifier.get("value") and (
            identifier.get("system") == MBI or coded or kind.get("text") == "Member ID"
        ):
            return str(identifier["value"])
    return None


def _is_current(condition: dict) -> bool:
    clinical = _codes(condition.get("clinicalStatus"))
    verification = _codes(condition.get("verificationStatus"))
    return not (clinical & INACTIVE) and not (verification & NOT_A_DIAGNOSIS)


def _codes(concept: object) -> set[str]:
    if not isinstance(concept, dict):
        return set()
    return {str(c.get("code")) for c in concept.get("coding") or [] if c.get("code")}
