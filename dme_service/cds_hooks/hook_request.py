"""A CDS Hooks request body, checked: what makes it a hook call at all, and what it carries.

A body without `hook`, `hookInstance` and a `context` object is not a CDS Hooks request (the
view answers 400). Everything inside the context and the prefetch is read leniently: a
resource that fhir.resources does not validate, a resource of another type or a malformed
Bundle is passed over, so the answer is fewer cards, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from dme_service.fhir import reading, resources
from dme_service.fhir.reading import Chart


class NotAHookRequest(ValueError):
    """The body is not a CDS Hooks request for this service (the message says why)."""


@dataclass(frozen=True, slots=True)
class HookRequest:
    hook: str
    hook_instance: str
    context: dict
    prefetch: dict


def parse(body: object, expected_hook: str) -> HookRequest:
    """The request, or NotAHookRequest naming what is wrong."""
    if not isinstance(body, dict):
        raise NotAHookRequest("the body must be a JSON object (a CDS Hooks request)")
    for name in ("hook", "hookInstance"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            raise NotAHookRequest(f"{name}: required, a string")
    if not isinstance(body.get("context"), dict):
        raise NotAHookRequest("context: required, an object")
    if body["hook"] != expected_hook:
        raise NotAHookRequest(f"hook: this service answers {expected_hook}, not {body['hook']}")
    for name in ("prefetch", "fhirAuthorization"):
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise NotAHookRequest(f"{name}: must be an object")
    return HookRequest(
        body["hook"], body["hookInstance"], body["context"], body.get("prefetch") or {}
    )


def chart(request: HookRequest) -> Chart:
    """The valid resources of the draft orders and of every prefetch value."""
    found: list[tuple[str | None, dict]] = []
    for value in [request.context.get("draftOrders"), *request.prefetch.values()]:
        found.extend(_valid_entries(value))
    return Chart(found)


def orders(request: HookRequest, chart_: Chart) -> list[dict]:
    """The valid draft DeviceRequests for a cervical traction code (order-select: the selected
    ones, when the context names its selections)."""
    draft = [
        resource
        for _, resource in _valid_entries(request.context.get("draftOrders"))
        if resource.get("resourceType") == "DeviceRequest" and reading.traction_code(resource)
    ]
    selections = request.context.get("selections")
    if request.hook == "order-select" and isinstance(selections, list) and selections:
        chosen = {s for s in selections if isinstance(s, str)}
        draft = [r for r in draft if f"DeviceRequest/{r.get('id')}" in chosen]
    return draft


def _valid_entries(value: object) -> list[tuple[str | None, dict]]:
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") != "Bundle":
        return [(None, value)] if resources.is_read(value) and resources.is_valid(value) else []
    found = []
    raw = value.get("entry") if isinstance(value.get("entry"), list) else []
    for entry in raw:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if resources.is_read(resource) and resources.is_valid(resource):
            url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
            found.append((url, resource))
    return found
