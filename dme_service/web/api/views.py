"""The JSON API under /api/v1: decide, create, edit, read and list cases, their documents,
claim moves and the FHIR export, described by /api/v1/openapi.json (web/api/schema.py).

Callers authenticate with a per-user bearer token, or from the browser with the session cookie
plus an X-CSRFToken header (the access hook checks CSRF for cookie calls only: OUT-3). Bodies
are JSON (else 415) of at most 1 MiB (else 413); field problems answer 422
`{"errors": [{"field", "message"}]}`; other errors `{"error": {"id", "code", "message",
"retryable"}}`. Every query is scoped to the caller's clinic: another clinic's id is a 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from flask_login import current_user

from dme_service.case import parse as case_format
from dme_service.case.parse import CaseFormatError
from dme_service.db import get_session
from dme_service.rules.engine import evaluate as decide_case
from dme_service.services import documents as document_service
from dme_service.services import fhir_export
from dme_service.services.cases import document_edit, same_patient
from dme_service.services.cases import from_document as case_import
from dme_service.services.cases import from_fhir as fhir_intake
from dme_service.services.cases.decide import CaseInvalid
from dme_service.services.cases.edit import StaleCase
from dme_service.services.cases.reading import CaseSearch, read_case, search_cases
from dme_service.services.errors import REFUSALS
from dme_service.services.signed_order import OrderFrozen, SignatureWouldVoid
from dme_service.store.cases import CaseIncomplete, CaseNotFound
from dme_service.web.api import edit_errors, openapi
from dme_service.web.api import records as views
from dme_service.web.api import schema as api_schema
from dme_service.web.api.records import FieldProblems
from dme_service.web.errors import Refused, error_response
from dme_service.web.notice_mail import notice_mail
from dme_service.web.pages.documents import _bounded_render
from dme_service.web.responses import pdf_response
from dme_service.web.security.access import CLINICAL, current_role

bp = Blueprint("api", __name__, url_prefix="/api/v1")

NOT_FOUND_NEXT = "Check the id; cases of other clinics are not visible."
IDEMPOTENCY_KEY = "Idempotency-Key"


@bp.errorhandler(FieldProblems)
def _field_problems(error: FieldProblems):
    return jsonify(errors=error.errors), 422


@bp.errorhandler(CaseFormatError)
def _case_format_error(error: CaseFormatError):
    return jsonify(errors=[e.as_json() for e in error.errors]), 422


@bp.url_value_preprocessor
def _refuse_impossible_ids(endpoint, values) -> None:
    """Ids beyond 32 bits cannot exist (and would overflow the database's integer): 404."""
    for name in ("case_id",):
        if values and values.get(name, 0) > api_schema.MAX_ID:
            raise Refused(404, "There is no such case in your clinic.", NOT_FOUND_NEXT)


# The query parameters each endpoint reads; any other is refused, so a typo is not ignored.
QUERY_PARAMETERS = {
    "api.list_cases": ("limit", "payer", "status"),
    "api.get_document": ("lang",),
    "api.render_document": ("lang",),
}


@bp.before_request
def _refuse_unknown_query_parameters():
    allowed = QUERY_PARAMETERS.get(request.endpoint, ())
    unknown = [name for name in request.args if name not in allowed]
    if unknown:
        raise FieldProblems([views.problem(name, "unknown query parameter") for name in unknown])


# --- deciding and creating ---------------------------------------------------------------


@bp.post("/evaluate")
def evaluate():
    """The decision for a case document; nothing is stored."""
    parsed = case_format.parse(json_body())
    return jsonify(decide_case(parsed).as_json())


@bp.post("/cases")
def create_case():
    """Create a case from a case document or a FHIR R4 Bundle (services.cases.from_fhir); a
    repeated Idempotency-Key returns the same case."""
    key = _idempotency_key()
    document = json_body()
    create = fhir_intake.import_bundle if fhir_intake.is_bundle(document) else None
    create = create or case_import.import_case
    try:
        imported = create(get_session(), current_user, document, key)
    except case_import.CaseInvalid as invalid:
        raise _problems(invalid.errors) from None
    except case_import.IdempotencyConflict as conflict:
        raise FieldProblems([{"field": IDEMPOTENCY_KEY, "message": str(conflict)}]) from None
    body = views.case_view(get_session(), imported.case, clinical=_clinical())
    # A warning, never a refusal: the patient's other cases and what was carried from them.
    body["same_patient"] = same_patient.overview(get_session(), imported.case).as_json()
    if imported.replayed:
        return jsonify(body), 200
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for(".get_case", case_id=imported.case.id)
    return response


def _idempotency_key() -> str | None:
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        return None
    if not 1 <= len(key) <= 64 or not all("!" <= ch <= "~" for ch in key):
        raise FieldProblems(
            [{"field": IDEMPOTENCY_KEY, "message": "use 1 to 64 visible ASCII characters"}]
        )
    return key


# --- editing -------------------------------------------------------------------------------


@bp.patch("/cases/<int:case_id>")
def edit_case(case_id: int):
    """Change top-level keys of the case document on the version last read, as the case page
    saves (services.cases.document_edit): 409 before voiding a signature (unless
    `confirm_void`), 409 once the claim was submitted, 409 when someone saved first."""
    edit = views.case_edit(json_body())
    try:
        case = document_edit.edit_case(get_session(), current_user, case_id, **edit)
    except CaseNotFound:
        raise Refused(404, "There is no such case in your clinic.", NOT_FOUND_NEXT) from None
    except CaseInvalid as invalid:
        raise FieldProblems(edit_errors.in_changes(invalid.errors, edit["changes"])) from None
    except StaleCase as stale:
        return edit_errors.stale(stale)
    except (SignatureWouldVoid, OrderFrozen) as refused:
        return edit_errors.signed_order(refused)
    return jsonify(views.case_view(get_session(), case, clinical=_clinical()))


# --- reading -------------------------------------------------------------------------------


@bp.get("/cases")
def list_cases():
    """The clinic's cases, most recently changed first (filters: payer, status; limit)."""
    search = CaseSearch(
        payer=_choice("payer", views.payers()),
        status=_choice("status", views.CASE_STATUSES),
    )
    limit = _limit()
    cases = search_cases(get_session(), current_user, search, limit=limit)
    return jsonify(cases=[views.case_summary(case) for case in cases])


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int):
    """The case document, its latest decision, its claim state and its stored documents."""
    case = _read(case_id)
    return jsonify(views.case_view(get_session(), case, clinical=_clinical()))


@bp.get("/cases/<int:case_id>/fhir")
def fhir_bundle(case_id: int):
    """The case as a FHIR R4 Bundle (the LMN's DocumentReference once an LMN is stored)."""
    letter_url = url_for("api.get_document", case_id=case_id, kind="lmn")
    try:
        bundle = fhir_export.bundle(get_session(), current_user, case_id, letter_url=letter_url)
    except CaseNotFound:
        raise Refused(404, "There is no such case in your clinic.", NOT_FOUND_NEXT) from None
    except CaseIncomplete as incomplete:
        raise views.FieldProblems([e.as_json() for e in incomplete.errors]) from None
    response = jsonify(bundle)
    response.mimetype = "application/fhir+json"
    return response


# --- documents ---------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/documents/<kind>")
def get_document(case_id: int, kind: str):
    """The stored document made from the case and signature as they are now (PDF attachment),
    its bytes verified first. A GET never makes one (OUT-3): when none is stored, 409 says to
    POST to this address, which makes and stores it."""
    lang = _lang()
    try:
        document = document_service.stored_current(get_session(), current_user, case_id, kind, lang)
    except (CaseNotFound, document_service.DocumentNotFound):
        raise Refused(
            404,
            "There is no such case or document kind in your clinic.",
            "Check the case id and the kind (lmn, swo, instructions, packet, summary, "
            "submission, abn).",
        ) from None
    except document_service.CaseNotReady as problem:
        raise _field_problems_of(problem) from None
    except document_service.NoCurrentVersion:
        raise Refused(
            409,
            "No version of this document made from the case and signature as they are now is "
            "stored, so none was sent (an older one never is under this address).",
            "POST to this address to make and store one, then GET it.",
        ) from None
    except document_service.DocumentTampered:
        raise Refused(
            500,
            "The stored file no longer matches its SHA-256, so it was not sent.",
            "Render the document again and tell the clinic administrator.",
        ) from None
    return pdf_response(document.content, document_service.filename(document.kind, document.id))


@bp.post("/cases/<int:case_id>/documents/<kind>")
def render_document(case_id: int, kind: str):
    """Render and store a new version of a document; answers its metadata."""
    lang = _lang()
    try:
        document = document_service.render_document(
            get_session(), current_user, case_id, kind, lang, render=_bounded_render
        )
    except (CaseNotFound, document_service.DocumentNotFound):
        raise Refused(404, "There is no such case or document kind.", NOT_FOUND_NEXT) from None
    except document_service.CaseNotReady as problem:
        raise _field_problems_of(problem) from None
    info = views.document_info(document, current=True)
    response = jsonify(info)
    response.status_code = 201
    response.headers["Location"] = info["url"]
    return response


def _field_problems_of(problem: document_service.CaseNotReady) -> FieldProblems:
    return _problems(problem.errors)


def _problems(errors) -> FieldProblems:
    """FieldProblems from any list of objects with `field` and `message`."""
    return FieldProblems([{"field": e.field, "message": e.message} for e in errors])


# --- billing -------------------------------------------------------------------------------


@bp.post("/cases/<int:case_id>/billing")
def move_billing(case_id: int):
    """Move the claim (services.billing.transition): 409 when stale or not allowed."""
    from dme_service.services.billing import claim as billing

    move = views.billing_move(json_body())
    try:
        event = billing.transition(
            get_session(), case_id, user=current_user, mail=notice_mail(), **move
        )
    except billing.InvalidInput as invalid:
        raise _problems(invalid.errors) from None
    except REFUSALS as refused:  # stale, illegal, not ready, not found
        return _billing_refusal(refused)
    return jsonify(views.billing_moved(get_session(), current_user, case_id, event))


def _billing_refusal(refused) -> Response:
    status = getattr(refused, "status", 409)
    next_step = {
        404: NOT_FOUND_NEXT,
        403: "Ask someone whose role makes this move.",
    }.get(status, "Read the case again (GET) to see its current state, then decide.")
    response = error_response(status, Refused(status, refused.message, next_step))
    payload = response.get_json()
    current = views.current_claim(refused)
    if current is not None:
        payload["current"] = current
    missing = getattr(refused, "missing", None)
    if missing:
        payload["missing"] = [{"label": m.label, "detail": m.detail} for m in missing]
    response.set_data(jsonify(payload).get_data())
    return response


# --- amending the order -----------------------------------------------------------------


@bp.post("/cases/<int:case_id>/order-amendments")
def amend_order(case_id: int):
    """Amend the order after its claim went to the payer, as the case page's "Amend the
    order" does (services.order_amendment): a new order version for a new signature and a
    corrected claim; the treating practitioner is mailed. 409 when the claim has not gone to
    the payer (the order is edited as usual) or the case moved on since it was read."""
    from dme_service.services import order_amendment

    amendment = views.order_amendment_request(json_body())
    try:
        order_amendment.amend(get_session(), case_id, current_user, mail=notice_mail(), **amendment)
    except order_amendment.AmendmentInvalid as invalid:
        raise FieldProblems([views.problem(k, m) for k, m in invalid.errors.items()]) from None
    except REFUSALS as refused:  # not found, not permitted, stale, not gone to the payer
        return _billing_refusal(refused)
    case = _read(case_id)
    response = jsonify(views.case_view(get_session(), case, clinical=_clinical()))
    response.status_code = 201
    response.headers["Location"] = url_for(".get_case", case_id=case_id)
    return response


# --- the document of this API ---------------------------------------------------------------


@bp.get("/openapi.json", endpoint="openapi")
def openapi_document():
    """The OpenAPI 3.1 description of exactly these routes."""
    return jsonify(openapi.document())


# --- helpers -------------------------------------------------------------------------------


def json_body():
    """The request body as JSON: 415 if it is not JSON, 413 past 1 MiB, 422 if it does not
    parse (`$`: what is wrong)."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise Refused(
            415,
            "The body must be JSON, sent with Content-Type: application/json.",
            "Send the body as JSON.",
        )
    return case_format.decode_json(request.get_data(cache=False))


def _clinical() -> bool:
    """Whether the caller is on the clinical team, who may read clinical free text (AC-3)."""
    return current_role() in CLINICAL


def _read(case_id: int):
    try:
        return read_case(get_session(), current_user, case_id)
    except CaseNotFound:
        raise Refused(404, "There is no such case in your clinic.", NOT_FOUND_NEXT) from None


def _choice(name: str, allowed) -> str:
    value = request.args.get(name)
    if value is None:
        return ""
    if value not in allowed:
        raise FieldProblems([{"field": name, "message": f"use one of {', '.join(allowed)}"}])
    return value


def _limit() -> int:
    value = request.args.get("limit")
    if value is None:
        return api_schema.LIST_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= api_schema.LIST_LIMIT:
        message = f"a whole number from 1 to {api_schema.LIST_LIMIT}"
        raise FieldProblems([{"field": "limit", "message": message}])
    return int(value)


def _lang() -> str:
    value = request.args.get("lang", "en")
    if value not in ("en", "es"):
        raise FieldProblems([{"field": "lang", "message": "use en or es"}])
    return value
