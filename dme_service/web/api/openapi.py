"""The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`), built as data.

It describes exactly the routes of `dme_service.web.api.views` (tests/web/api/test_openapi.py
compares the two and runs schemathesis against it); the JSON Schemas it refers to are in api_schema
(the case and the decision) and api_record_schema (stored records and errors).
"""

from __future__ import annotations

from dme_service.coding.payers import payer_ids
from dme_service.rules.decision import CASE_STATUSES
from dme_service.services.documents import DOCUMENT_KINDS
from dme_service.web.api.record_schema import error_schemas, record_schemas
from dme_service.web.api.schema import LIST_LIMIT, MAX_ID, case_schemas, decision_schema, ref

ERRORS = {
    "401": "No valid bearer token (or signed-in session) was sent",
    "403": "The caller's role may not do this",
    "404": "No such case or document in the caller's clinic",
    "409": "The claim changed meanwhile, the move is not allowed from its state, or the "
    "readiness checklist is not complete",
    "413": "The body is larger than 1 MiB; `errors` names the body (`$`) as the field",
    "415": "The body is not JSON (Content-Type: application/json)",
    "503": "The database or the PDF renderer is busy or timed out; nothing was saved",
}


def _json(schema_name: str) -> dict:
    return {"application/json": {"schema": ref(schema_name)}}


def _responses(ok: dict, *errors: str, field_errors: bool = False) -> dict:
    responses = dict(ok)
    for status in errors:
        responses[status] = {"description": ERRORS[status], "content": _json("Error")}
        if status == "413":
            responses[status]["content"] = _json("TooLarge")
    if field_errors:
        responses["422"] = {
            "description": "Some fields are not valid; each error names its dotted path",
            "content": _json("FieldErrors"),
        }
    return responses


CASE_ID = {
    "name": "case_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
KIND = {
    "name": "kind",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(DOCUMENT_KINDS)},
}
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "en for every document; es only for the patient's instructions",
    "schema": {"type": "string", "enum": ["en", "es"]},
}
BODY_CASE = {"required": True, "content": _json("CaseDocument")}


def _operation(summary: str, responses: dict, **fields) -> dict:
    return {"summary": summary, "responses": responses, **fields}


PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
CASE_VIEW = {"description": "The case", "content": _json("CaseView")}
FHIR_BUNDLE_SCHEMA = {
    "type": "object",
    "description": "A FHIR R4 Bundle (https://hl7.org/fhir/R4/bundle.html)",
    "required": ["resourceType"],
    "properties": {
        "resourceType": {"const": "Bundle"},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "fullUrl": {"type": "string"},
                    "resource": {
                        "type": "object",
                        "required": ["resourceType"],
                        "properties": {"resourceType": {"type": "string"}},
                    },
                },
            },
        },
    },
}
FHIR_BUNDLE = {"application/fhir+json": {"schema": FHIR_BUNDLE_SCHEMA}}


def paths() -> dict:
    """Each route of the API, by path and method, with its operation."""
    return {
        "/api/v1/evaluate": {"post": _evaluate()},
        "/api/v1/cases": {"get": _list_cases(), "post": _create_case()},
        "/api/v1/cases/{case_id}": {"get": _get_case(), "patch": _edit_case()},
        "/api/v1/cases/{case_id}/documents/{kind}": {
            "get": _get_document(),
            "post": _render_document(),
        },
        "/api/v1/cases/{case_id}/billing": {"post": _move_billing()},
        "/api/v1/cases/{case_id}/order-amendments": {"post": _amend_order()},
        "/api/v1/cases/{case_id}/fhir": {"get": _get_fhir_bundle()},
        "/api/v1/openapi.json": {"get": _openapi()},
    }


def _evaluate() -> dict:
    return _operation(
        "Decide a case document without storing it",
        _responses(
            {"200": {"description": "The decision", "content": _json("Decision")}},
            *("401", "403", "413", "415"),
            field_errors=True,
        ),
        operationId="evaluate",
        requestBody=BODY_CASE,
    )


def _list_cases() -> dict:
    return _operation(
        "The clinic's cases, most recently changed first",
        _responses(
            {"200": {"description": "Cases", "content": _json("CaseList")}},
            *("401", "403"),
            field_errors=True,
        ),
        operationId="listCases",
        parameters=[
            _query("limit", {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT}),
            _query("payer", {"type": "string", "enum": list(payer_ids())}),
            _query("status", {"type": "string", "enum": list(CASE_STATUSES)}),
        ],
    )


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "schema": schema}


# FHIR intake (services.cases.from_fhir): a Bundle of Patient, Coverage, Conditions,
# Practitioner and one traction DeviceRequest; fhir.resources validates every resource.
BODY_CASE_OR_BUNDLE = {
    "required": True,
    "content": {
        "application/json": {"schema": {"oneOf": [ref("CaseDocument"), ref("FhirBundle")]}},
        "application/fhir+json": {"schema": ref("FhirBundle")},
    },
}


def _create_case() -> dict:
    created = {
        "201": {
            **CASE_VIEW,
            "description": "Created",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        "200": {**CASE_VIEW, "description": "Already created with this Idempotency-Key"},
    }
    return _operation(
        "Create a case from a case document or a FHIR R4 Bundle (trial and screening then "
        "stay open: the decision lists them in missing)",
        _responses(created, *("401", "403", "413", "415"), field_errors=True),
        operationId="createCase",
        parameters=[
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry with the same key returns the same case",
                "schema": {"type": "string", "pattern": "^[!-~]{1,64}$"},
            }
        ],
        requestBody=BODY_CASE_OR_BUNDLE,
    )


def _get_case() -> dict:
    return _operation(
        "A case: its document, latest decision, claim state and documents",
        _responses({"200": CASE_VIEW}, "401", "403", "404"),
        operationId="getCase",
        parameters=[CASE_ID],
    )


def _edit_case() -> dict:
    responses = _responses(
        {"200": {**CASE_VIEW, "description": "Saved; the case as it is now"}},
        *("401", "403", "404", "409", "413", "415"),
        field_errors=True,
    )
    responses["409"] = {
        "description": "Nothing was saved: the change would void the practitioner's signature "
        "(code signature_would_void: send it again with confirm_void true), the claim made from "
        "the signed order was submitted (code order_frozen), or the case was saved by someone "
        "else after you read it (current.version)",
        "content": _json("EditRefused"),
    }
    return _operation(
        "Change top-level keys of the case document, as the case page saves: decided again, "
        "and a change to a signed fact voids the signature only when confirmed",
        responses,
        operationId="editCase",
        parameters=[CASE_ID],
        requestBody={"required": True, "content": _json("CaseEdit")},
    )


def _get_document() -> dict:
    responses = _responses(
        {"200": {"description": "The PDF", "content": PDF}},
        *("401", "403", "404", "409", "503"),
        field_errors=True,
    )
    responses["409"]["description"] = NOT_MADE
    return _operation(
        "The stored document made from the case and signature as they are now, as a PDF "
        "attachment; a signed SWO or LMN is the signed file. A GET never makes a version (a "
        "POST to the same address does)",
        responses,
        operationId="getDocument",
        parameters=[CASE_ID, KIND, LANG],
    )


NOT_MADE = (
    "No version made from the case and signature as they are now is stored (none yet, or the "
    "stored one was made before a change); POST to the same address makes one"
)


def _render_document() -> dict:
    return _operation(
        "Render and store a new version of a document",
        _responses(
            {"201": {"description": "The stored version", "content": _json("Document")}},
            *("401", "403", "404", "503"),
            field_errors=True,
        ),
        operationId="renderDocument",
        parameters=[CASE_ID, KIND, LANG],
    )


def _move_billing() -> dict:
    return _operation(
        "Move the case's claim to another billing state",
        _responses(
            {"200": {"description": "Moved", "content": _json("BillingMoved")}},
            *("401", "403", "404", "409", "413", "415"),
            field_errors=True,
        ),
        operationId="moveBilling",
        parameters=[CASE_ID],
        requestBody={"required": True, "content": _json("BillingMove")},
    )


def _amend_order() -> dict:
    created = {
        "201": {
            **CASE_VIEW,
            "description": "Amended: the case as it is now (`signature.order_version` is the "
            "new order version, `order_amendment` the amendment, without its reason)",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
    }
    responses = _responses(created, *("401", "403", "404", "409", "413", "415"), field_errors=True)
    responses["403"]["description"] = "Only the clinical team amends an order; billing cannot"
    responses["409"]["description"] = (
        "Nothing was amended: the claim has not gone to the payer (the order is edited as "
        "usual), or the case changed after you read it (current.version)"
    )
    return _operation(
        "Amend the order after its claim went to the payer, with the reason the practitioner "
        "reads: a new order version for a new signature and a corrected claim (the signature "
        "the claim was billed on is kept, superseded); the treating practitioner is mailed",
        responses,
        operationId="amendOrder",
        parameters=[CASE_ID],
        requestBody={"required": True, "content": _json("OrderAmendmentRequest")},
    )


def _get_fhir_bundle() -> dict:
    return _operation(
        "The case as a FHIR R4 Bundle",
        _responses({"200": {"description": "Bundle", "content": FHIR_BUNDLE}}, "401", "403", "404"),
        operationId="getFhirBundle",
        parameters=[CASE_ID],
    )


def _openapi() -> dict:
    document_json = {"application/json": {"schema": {"type": "object"}}}
    return _operation(
        "This document",
        {"200": {"description": "OpenAPI 3.1", "content": document_json}},
        operationId="openapi",
        security=[],
    )


def document() -> dict:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dme_service API",
            "version": "1",
            "description": "Cervical traction DME decisions, cases, documents, billing and FHIR "
            "export. Authenticate with a per-user bearer token (`dme-service token create`) or, "
            "from the browser, the session cookie plus an X-CSRFToken header on POSTs.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **case_schemas(),
                "Decision": decision_schema(),
                "FhirBundle": FHIR_BUNDLE_SCHEMA,
                **record_schemas(),
                **error_schemas(),
            },
        },
    }
