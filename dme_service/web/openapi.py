"""The OpenAPI 3.1 document of the JSON API (`GET /api/v1/openapi.json`), built as data.

It describes exactly the routes of `dme_service.web.api` (tests/web/test_openapi.py compares
the two and runs schemathesis against it); the JSON Schemas it refers to are in api_schema.
"""

from __future__ import annotations

from dme_service.models import CASE_STATUSES, DOCUMENT_KINDS
from dme_service.rules.policy import payer_ids
from dme_service.web.api_schema import (
    LIST_LIMIT,
    MAX_ID,
    case_schemas,
    decision_schema,
    error_schemas,
    record_schemas,
)

ERRORS = {
    "401": "No valid bearer token (or signed-in session) was sent",
    "403": "The caller's role may not do this",
    "404": "No such case or document in the caller's clinic",
    "409": "The claim changed meanwhile, the move is not allowed from its state, or the "
    "readiness checklist is not complete",
    "413": "The body is larger than 1 MiB",
    "415": "The body is not JSON (Content-Type: application/json)",
    "503": "The database or the PDF renderer is busy or timed out; nothing was saved",
}


def _json(schema_name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _responses(ok: dict, *errors: str, field_errors: bool = False) -> dict:
    responses = dict(ok)
    for status in errors:
        responses[status] = {"description": ERRORS[status], "content": _json("Error")}
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


def paths() -> dict:
    pdf = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    case_view = {"description": "The case", "content": _json("CaseView")}
    return {
        "/api/v1/evaluate": {
            "post": _operation(
                "Decide a case document without storing it",
                _responses(
                    {"200": {"description": "The decision", "content": _json("Decision")}},
                    "401",
                    "403",
                    "413",
                    "415",
                    field_errors=True,
                ),  # fmt: skip
                operationId="evaluate",
                requestBody=BODY_CASE,
            )
        },
        "/api/v1/cases": {
            "get": _operation(
                "The clinic's cases, most recently changed first",
                _responses(
                    {"200": {"description": "Cases", "content": _json("CaseList")}},
                    "401",
                    "403",
                    field_errors=True,
                ),  # fmt: skip
                operationId="listCases",
                parameters=[
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": LIST_LIMIT},
                    },
                    {
                        "name": "payer",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(payer_ids())},
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(CASE_STATUSES)},
                    },
                ],  # fmt: skip
            ),
            "post": _operation(
                "Create a case from a case document",
                _responses(
                    {
                        "201": {
                            **case_view,
                            "description": "Created",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                        },
                        "200": {
                            **case_view,
                            "description": "Already created with this Idempotency-Key",
                        },
                    },
                    "401",
                    "403",
                    "413",
                    "415",
                    field_errors=True,
                ),  # fmt: skip
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
                requestBody=BODY_CASE,
            ),
        },
        "/api/v1/cases/{case_id}": {
            "get": _operation(
                "A case: its document, latest decision, claim state and documents",
                _responses({"200": case_view}, "401", "403", "404"),
                operationId="getCase",
                parameters=[CASE_ID],
            )
        },
        "/api/v1/cases/{case_id}/documents/{kind}": {
            "get": _operation(
                "The current version of a document, as a PDF attachment",
                _responses(
                    {"200": {"description": "The PDF", "content": pdf}},
                    "401",
                    "403",
                    "404",
                    field_errors=True,
                ),
                operationId="getDocument",
                parameters=[CASE_ID, KIND, LANG],
            ),  # fmt: skip
            "post": _operation(
                "Render and store a new version of a document",
                _responses(
                    {"201": {"description": "The stored version", "content": _json("Document")}},
                    "401",
                    "403",
                    "404",
                    "503",
                    field_errors=True,
                ),  # fmt: skip
                operationId="renderDocument",
                parameters=[CASE_ID, KIND, LANG],
            ),
        },
        "/api/v1/cases/{case_id}/billing": {
            "post": _operation(
                "Move the case's claim to another billing state",
                _responses(
                    {"200": {"description": "Moved", "content": _json("BillingMoved")}},
                    "401",
                    "403",
                    "404",
                    "409",
                    "413",
                    "415",
                    field_errors=True,
                ),  # fmt: skip
                operationId="moveBilling",
                parameters=[CASE_ID],
                requestBody={"required": True, "content": _json("BillingMove")},
            )
        },
        "/api/v1/cases/{case_id}/fhir": {
            "get": _operation(
                "The case as a FHIR R4 Bundle",
                _responses(
                    {
                        "200": {
                            "description": "Bundle",
                            "content": {
                                "application/fhir+json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["resourceType"],
                                        "properties": {"resourceType": {"const": "Bundle"}},
                                    }
                                }
                            },
                        }
                    },
                    "401",
                    "403",
                    "404",
                ),  # fmt: skip
                operationId="getFhirBundle",
                parameters=[CASE_ID],
            )
        },
        "/api/v1/openapi.json": {
            "get": _operation(
                "This document",
                {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
                operationId="openapi",
                security=[],
            )  # fmt: skip
        },
    }


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
                **record_schemas(),
                **error_schemas(),
            },
        },
    }
