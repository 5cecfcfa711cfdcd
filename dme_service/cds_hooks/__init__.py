"""CDS Hooks for home cervical traction orders: discovery, reading a hook call, advice, cards.

Pure Python (no Flask, no SQLAlchemy): the web layer (web/api/cds_hooks.py) authenticates the
call and hands the body to `answer`, which returns the response body. The mapping from FHIR
resources to case-document fields lives in dme_service.fhir (reading.py, payer_match.py),
shared with the FHIR intake of `POST /api/v1/cases`.
"""

from __future__ import annotations

from collections.abc import Callable

from dme_service.cds_hooks import advice as advice_
from dme_service.cds_hooks import cards, carried, hook_request
from dme_service.cds_hooks.discovery import HOOKS, services
from dme_service.cds_hooks.hook_request import NotAHookRequest

__all__ = ["HOOKS", "NotAHookRequest", "answer", "services"]

AppLink = Callable[[dict], str]  # a partial case document -> an absolute URL in the service


def answer(service_id: str, body: object, app_link: AppLink) -> dict:
    """The CDS Hooks response for a call to `service_id` (one of HOOKS).

    Raises NotAHookRequest when the body is not a CDS Hooks request for this hook.
    """
    request = hook_request.parse(body, HOOKS[service_id])
    chart = hook_request.chart(request)
    found = []
    for order in hook_request.orders(request, chart):
        part = carried.case_part(request, chart, order)
        hcpcs = part["request"]["hcpcs"]
        advice = advice_.advise(
            hcpcs, part.get("payer"), part["diagnoses"], part["request"].get("force_lb")
        )
        found.append(cards.card(advice, order, request.hook_instance, app_link(part)))
    return {"cards": found}
