"""Reading FHIR R4 JSON from outside: each resource checked by the fhir.resources models.

An EHR's resource is accepted only when its model validates it; the readers then work on the
plain JSON (fhir/reading.py), so no field is taken from a resource the library refused. A
Bundle is read entry by entry, so one bad entry does not hide the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

# The resource types the service reads; anything else in a Bundle is passed over.
READ_TYPES = frozenset(
    {"Patient", "Coverage", "Condition", "Practitioner", "Organization", "DeviceRequest"}
)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a resource was refused: the path inside it and the library's message."""

    path: str
    message: str


def problems(resource: object) -> list[Problem]:
    """What the fhir.resources model finds wrong with `resource` (empty: it validates)."""
    if not isinstance(resource, dict):
        return [Problem("", "must be a FHIR resource (a JSON object)")]
    kind = resource.get("resourceType")
    if not isinstance(kind, str):
        return [Problem("resourceType", "is missing")]
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError):
        return [Problem("resourceType", f"{kind!r} is not a FHIR R4 resource type")]
    try:
        model.model_validate(resource)
    except ValidationError as error:
        return [_problem(item) for item in error.errors()[:5]]
    except (TypeError, ValueError) as error:  # the library's own checks raise these too
        return [Problem("", str(error)[:200])]
    return []


def is_read(resource: object) -> bool:
    """A JSON object of one of the READ_TYPES (checked before validating: EHRs send others)."""
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    return isinstance(kind, str) and kind in READ_TYPES


def is_valid(resource: object) -> bool:
    return not problems(resource)


def _problem(item: dict) -> Problem:
    path = ".".join(str(part) for part in item.get("loc", ()) if part != "__root__")
    return Problem(path, str(item.get("msg", "is not valid"))[:200])


def entries(bundle: object) -> Iterator[tuple[int, dict]]:
    """(index, resource) for each entry of a Bundle that has a resource object."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return
    raw = bundle.get("entry")
    if not isinstance(raw, list):
        return
    for index, entry in enumerate(raw):
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            yield index, entry["resource"]


def valid_resources(value: object) -> Iterator[dict]:
    """The valid resources of the READ_TYPES in a resource or a Bundle of them (one level)."""
    if isinstance(value, dict) and value.get("resourceType") == "Bundle":
        for _, resource in entries(value):
            if is_read(resource) and is_valid(resource):
                yield resource
    elif is_read(value) and is_valid(value):
        yield value
