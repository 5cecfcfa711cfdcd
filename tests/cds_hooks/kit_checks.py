"""The Da Vinci CRD test kit's card checks, ported to Python for pytest.

Ported from inferno-framework/davinci-crd-test-kit (Apache-2.0), commit 1d1f2c4:
lib/davinci_crd_test_kit/cards_validation.rb (required fields and types, summary length,
indicator values, source and topic, links, selectionBehavior, suggestions) and
suggestion_actions_validation.rb (action type, description, resource; an `update` must name a
resource of the request's draftOrders). Each check returns messages; empty means it passes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from dme_service.fhir import resources

CARD_REQUIRED = {"summary": str, "indicator": str, "source": dict}
SOURCE_REQUIRED = {"label": str, "topic": dict}
TOPIC_REQUIRED = {"code": str, "system": str}
CARD_OPTIONAL = {
    "uuid": str,
    "detail": str,
    "suggestions": list,
    "overrideReasons": list,
    "links": list,
}
LINK_REQUIRED = {"label": str, "type": str, "url": "URL"}
ACTION_REQUIRED = {"type": str, "description": str}


def _present(obj: dict, field: str, kind, what: str) -> list[str]:
    if field not in obj or obj[field] in (None, "", [], {}):
        return [f"{what}: `{field}` is missing"]
    value = obj[field]
    if kind == "URL":
        parts = urlsplit(value) if isinstance(value, str) else None
        if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
            return [f"{what}: `{field}` is not an absolute URL: {value!r}"]
        return []
    if not isinstance(value, kind):
        return [f"{what}: `{field}` is not a {kind.__name__}"]
    return []


def response_errors(body: object, request: dict) -> list[str]:
    """perform_cards_validation plus valid_card_with_optionals? for every card."""
    if not isinstance(body, dict) or "cards" not in body:
        return ["the response has no `cards` field"]
    if not isinstance(body["cards"], list):
        return ["`cards` is not an array"]
    found = []
    for card in body["cards"]:
        found += card_errors(card) + optional_errors(card, request)
    return found


def card_errors(card: dict) -> list[str]:
    """cards_check: required fields, summary length, indicator, source and topic."""
    found = []
    for field, kind in CARD_REQUIRED.items():
        found += _present(card, field, kind, "Card")
    if isinstance(card.get("summary"), str) and len(card["summary"]) >= 140:
        found.append("`summary` is over the 140-character limit")
    if isinstance(card.get("indicator"), str) and card["indicator"] not in (
        "info",
        "warning",
        "critical",
    ):
        found.append(f"`indicator` is {card['indicator']!r}")
    source = card.get("source")
    if isinstance(source, dict):
        for field, kind in SOURCE_REQUIRED.items():
            found += _present(source, field, kind, "Source")
        if isinstance(source.get("topic"), dict):
            for field, kind in TOPIC_REQUIRED.items():
                found += _present(source["topic"], field, kind, "Source topic")
    return found


def optional_errors(card: dict, request: dict) -> list[str]:
    """valid_card_with_optionals?: types, selectionBehavior, links, suggestions and actions."""
    found = []
    for field, kind in CARD_OPTIONAL.items():
        if card.get(field):
            found += _present(card, field, kind, "Card")
    if card.get("suggestions") and card.get("selectionBehavior") not in ("at-most-one", "any"):
        found.append("`selectionBehavior` must be at-most-one or any with suggestions")
    for link in card.get("links") or []:
        for field, kind in LINK_REQUIRED.items():
            found += _present(link, field, kind, "Link")
        if link.get("type") not in ("absolute", "smart"):
            found.append(f"`Link.type` must be absolute or smart: {link.get('type')!r}")
        if link.get("type") == "absolute" and link.get("appContext"):
            found.append("`appContext` is only for smart links")
    for suggestion in card.get("suggestions") or []:
        found += _present(suggestion, "label", str, "Suggestion")
        actions = suggestion.get("actions")
        if actions is not None and (not isinstance(actions, list) or not actions):
            found.append("Suggestion `actions` must be a non-empty array")
            continue
        for action in actions or []:
            found += action_errors(action, request)
    return found


def action_errors(action: dict, request: dict) -> list[str]:
    found = []
    for field, kind in ACTION_REQUIRED.items():
        found += _present(action, field, kind, "Action")
    kind = action.get("type")
    if kind not in ("create", "update", "delete"):
        return found + [f"Action type {kind!r} is not allowed"]
    if kind in ("create", "update"):
        resource = action.get("resource")
        if not isinstance(resource, dict):
            return found + [f"`Action.resource` must be present for {kind} actions"]
        found += [f"Action.resource: {p.path} {p.message}" for p in resources.problems(resource)]
        if kind == "update":
            ref = f"{resource.get('resourceType')}/{resource.get('id')}"
            if ref not in draft_order_refs(request):
                found.append(f"updated resource {ref} is not in context.draftOrders")
    elif action.get("resourceId") not in draft_order_refs(request):
        found.append("`Action.resourceId` must reference a draftOrders entry")
    return found


def draft_order_refs(request: dict) -> set[str]:
    bundle = (request.get("context") or {}).get("draftOrders") or {}
    return {
        f"{e['resource']['resourceType']}/{e['resource'].get('id')}"
        for e in bundle.get("entry") or []
        if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    }


def is_external_reference(card: dict) -> bool:
    """cards_identification.rb external_reference_response_type?: every link absolute."""
    return bool(card.get("links")) and all(k.get("type") == "absolute" for k in card["links"])
