"""CDS Hooks endpoints: discovery (`GET /cds-services`) and the two order hooks.

Discovery is public. A hook call must carry the EHR's JWT (cds_hooks/token.py; issuers and keys
from DME_CDS_HOOKS_ISSUERS and DME_CDS_HOOKS_JWKS), whose `jti` is accepted once
(services/cds_hooks.py). Refused calls answer 401 and are counted per client address: 10 within
15 minutes answer 429 until the window passes; an EHR over 300 accepted calls a minute gets 429
too (the sign-in form and patient links are throttled the same way; the JSON API is not). The
body is read by the pure package dme_service.cds_hooks; nothing from it is logged (patient
data), only the service id, the outcome and the number of cards. No cookie authenticates these
calls, so no CSRF token is asked.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import Blueprint, current_app, jsonify, request, url_for

from dme_service import cds_hooks
from dme_service.cds_hooks import prefill
from dme_service.cds_hooks.token import KeySet, TokenRefused, bearer, verify
from dme_service.db import get_session
from dme_service.extensions import csrf
from dme_service.services import cds_hooks as hook_calls
from dme_service.web.forms import no_input_to_keep

log = logging.getLogger(__name__)
bp = Blueprint("cds", __name__)
csrf.exempt(bp)


@bp.after_request
def _cors(response):
    # CDS Hooks: services SHOULD allow browser-based EHRs (no cookie is ever read here).
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    return response


@bp.get("/cds-services")
def discovery():
    """The services this server offers (no token needed)."""
    return jsonify(cds_hooks.services())


@bp.post("/cds-services/<service_id>")
@no_input_to_keep("an EHR's JSON call: the EHR keeps its own request body")
def hook(service_id: str):
    """Advice cards for the traction orders of a CDS Hooks call."""
    if service_id not in cds_hooks.HOOKS:
        return _error(404, "no such CDS service; GET /cds-services lists them")
    session = get_session()
    wait = hook_calls.retry_after(session, request.remote_addr)
    if wait is not None:
        response = _error(429, "too many refused calls from this address; try again later")
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        claims = verify(
            bearer(request.headers.get("Authorization")),
            keys=_keys(current_app.config.get("CDS_HOOKS_JWKS") or ""),
            issuers=current_app.config.get("CDS_HOOKS_ISSUERS") or [],
            audience=request.base_url,
        )
        outcome = hook_calls.accept(session, claims.issuer, claims.jti, claims.expires_at)
        if outcome == hook_calls.REPLAYED:
            raise TokenRefused("jti already used")
    except TokenRefused as refused:
        hook_calls.count_refusal(session, request.remote_addr)
        log.warning("cds hook refused", extra={"service": service_id, "reason": str(refused)})
        response = _error(401, "a valid JWT from a trusted EHR is required")
        response.headers["WWW-Authenticate"] = 'Bearer realm="cds-services"'
        return response
    if outcome == hook_calls.BUSY:
        response = _error(429, "too many calls from this EHR in the last minute; try again soon")
        response.headers["Retry-After"] = "60"
        return response
    body = request.get_json(silent=True)
    try:
        answer = cds_hooks.answer(service_id, body, _app_link)
    except cds_hooks.NotAHookRequest as problem:
        return _error(400, f"not a CDS Hooks request: {problem}")
    log.info("cds hook answered", extra={"service": service_id, "cards": len(answer["cards"])})
    return jsonify(answer)


def _app_link(part: dict) -> str:
    """An absolute link to a new case in this service, prefilled from the hook (sealed)."""
    token = prefill.seal(part, current_app.config["SECRET_KEY"])
    return url_for("cases.new", ehr=token, _external=True)


@lru_cache(maxsize=4)
def _cached_keys(source: str) -> KeySet:
    return KeySet(source)


def _keys(source: str) -> KeySet:
    if not source:
        raise TokenRefused("CDS Hooks are not configured (DME_CDS_HOOKS_JWKS)")
    return _cached_keys(source)


def _error(status: int, message: str):
    response = jsonify(error={"code": status, "message": message})
    response.status_code = status
    return response
