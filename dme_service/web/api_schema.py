"""The JSON Schemas of the OpenAPI document (web/openapi.py): the case, the decision, stored
records and errors, as data.

The case schema mirrors `case_format` (the one
parser): every constraint written here is one the parser enforces, so a document the schema
forbids is always refused. The parser checks more than JSON Schema can say (billable ICD-10-CM
codes, the NPI check digit, dates not after today, onset before the latest trial): such a
document gets a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from dme_service.case import (
    ALSO_REQUESTED,
    AUTHOR_ONLY_CREDENTIALS,
    HOME_DEVICES,
    POSITIONS,
    SCREENING_KEYS,
    SIGNING_CREDENTIALS,
    TRIAL_DEVICES,
)
from dme_service.models import BILLING_STATES, CASE_STATUSES, DOCUMENT_KINDS
from dme_service.rules.decision import STATUSES
from dme_service.rules.policy import payer_ids

MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; larger ones cannot exist
MAX_NUMBER = 1e9  # case_fields.MAX_NUMBER
LIST_LIMIT = 200
DELIVERY_METHODS = ("in_clinic", "courier", "shipped")
ISO_DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


def nullable(schema: dict) -> dict:
    """The schema or null: the parser reads null as "not given" for optional fields."""
    kind = schema.get("type")
    if isinstance(kind, str) and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


POSITIVE = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_NUMBER}
PAIN = {"type": "integer", "minimum": 0, "maximum": 10}
COUNT = {"type": "integer", "minimum": 1, "maximum": MAX_NUMBER}
TEXT = {"type": "string", "minLength": 1}


def case_schemas() -> dict[str, dict]:
    """The dme-case/1 document (case-format.md) as JSON Schema."""
    trial = _obj(
        {
            "date": ISO_DATE,
            "device": {"type": "string", "enum": list(TRIAL_DEVICES)},
            "position": nullable({"type": "string", "enum": list(POSITIONS)}),
            "force_lb": POSITIVE,
            "minutes": POSITIVE,
            "pain_before": PAIN,
            "pain_after": PAIN,
            "peripheralization": {"type": "boolean"},
            "new_neuro_signs": {"type": "boolean"},
            "use_demonstrated": nullable({"type": "boolean"}),
            "tolerated": nullable({"type": "boolean"}),
        },
        ("date", "device", "force_lb", "minutes", "pain_before", "pain_after")
        + ("peripheralization", "new_neuro_signs"),
    )
    request = _obj(
        {
            "hcpcs": nullable({"type": "string", "enum": list(HOME_DEVICES)}),
            "force_lb": nullable(POSITIVE),
            "minutes": nullable(POSITIVE),
            "sessions_per_day": nullable(COUNT),
            "length_of_need_months": nullable(COUNT),
            "frequency_text": nullable({"type": "string"}),
        }
    )
    credentials = list(SIGNING_CREDENTIALS + AUTHOR_ONLY_CREDENTIALS)
    document = _obj(
        {
            "format": nullable({"type": "string", "enum": ["dme-case/1"]}),
            "patient": {"$ref": "#/components/schemas/Patient"},
            "payer": {"type": "string", "enum": list(payer_ids())},
            "diagnoses": {"type": "array", "minItems": 1, "items": TEXT},
            "onset_date": nullable(ISO_DATE),
            "trials": nullable({"type": "array", "items": {"$ref": "#/components/schemas/Trial"}}),
            "screening": nullable(
                _obj({key: nullable({"type": "boolean"}) for key in SCREENING_KEYS})
            ),
            "request": nullable({"$ref": "#/components/schemas/HomeRequest"}),
            "also_requested": nullable(
                {"type": "array", "items": {"type": "string", "enum": list(ALSO_REQUESTED)}}
            ),
            "treating_practitioner": _obj(
                {
                    "name": TEXT,
                    "npi": {"type": "string", "pattern": "^[0-9]{10}$"},
                    "credential": {"type": "string", "enum": credentials},
                },
                ("name", "npi", "credential"),
            ),
            "abn_on_file": nullable({"type": "boolean"}),
            "prior_devices": nullable(
                {
                    "type": "array",
                    "items": _obj(
                        {
                            "hcpcs": {"type": "string", "pattern": "^[A-V][0-9]{4}$"},
                            "date": ISO_DATE,
                        },
                        ("hcpcs", "date"),
                    ),
                }
            ),
        },
        ("patient", "payer", "diagnoses", "treating_practitioner"),
    )
    document["description"] = "A dme-case/1 case document (case-format.md)."
    patient = _obj(
        {
            "name": TEXT,
            "date_of_birth": ISO_DATE,
            "member_id": TEXT,
            "weight_lb": nullable(POSITIVE),
        },
        ("name", "date_of_birth", "member_id"),
    )
    return {"CaseDocument": document, "Patient": patient, "Trial": trial, "HomeRequest": request}


def decision_schema() -> dict:
    """The dme-decision/1 decision (case-format.md "Decision")."""
    hcpcs = {"type": "string", "enum": list(HOME_DEVICES)}
    strings = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "required": ["format", "status", "requested_hcpcs", "recommended_hcpcs", "modifiers"]
        + ["trial_response", "contraindications", "missing", "warnings", "reasons", "policy"],
        "properties": {
            "format": {"const": "dme-decision/1"},
            "status": {"type": "string", "enum": list(STATUSES)},
            "requested_hcpcs": hcpcs,
            "recommended_hcpcs": nullable(hcpcs),
            "modifiers": {"type": "array", "items": {"enum": ["KX", "GA", "GZ"]}},
            "trial_response": {"enum": ["improved", "unchanged", "worse", None]},
            "contraindications": strings,
            "missing": strings,
            "warnings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "text"],
                    "properties": {"code": {"type": "string"}, "text": {"type": "string"}},
                },
            },
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "met", "text", "source"],
                    "properties": {
                        "code": {"type": "string"},
                        "met": {"type": "boolean"},
                        "text": {"type": "string"},
                        "source": {"type": "string"},
                    },
                },
            },
            "policy": {
                "type": "object",
                "required": ["payer", "id", "effective"],
                "properties": {
                    "payer": {"type": "string"},
                    "id": {"type": "string"},
                    "effective": {"type": ["string", "null"]},
                },
            },
        },
    }


def record_schemas() -> dict[str, dict]:
    """Stored cases, their documents and claim moves, as the API answers them."""
    when = {"type": "string", "format": "date-time"}
    document = {
        "type": "object",
        "required": ["id", "kind", "lang", "version", "sha256", "created_at", "current", "url"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
            "lang": {"type": "string", "enum": ["en", "es"]},
            "version": {"type": "integer", "minimum": 1},
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "size": {"type": "integer", "minimum": 0},
            "created_at": when,
            "superseded_at": nullable(when),
            "current": {"type": "boolean"},
            "url": {"type": "string"},
        },
    }
    summary_properties = {
        "id": {"type": "integer"},
        "version": {"type": "integer"},
        "status": {"type": "string", "enum": list(CASE_STATUSES)},
        "billing_state": {"type": "string", "enum": list(BILLING_STATES)},
        "payer": {"type": ["string", "null"]},
        "patient": {"type": "object"},
        "updated_at": when,
        "url": {"type": "string"},
    }
    summary = {
        "type": "object",
        "required": list(summary_properties),
        "properties": summary_properties,
    }
    view = {
        "type": "object",
        "required": list(summary_properties) + ["case", "decision", "documents", "created_at"],
        "properties": {
            **summary_properties,
            "created_at": when,
            "case": {"type": "object", "description": "The stored case as a dme-case/1 document"},
            "decision": nullable({"$ref": "#/components/schemas/Decision"}),
            "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}},
        },
    }
    move = _obj(
        {
            "to_state": {"type": "string", "enum": list(BILLING_STATES)},
            "expected_version": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "carc": {"type": "array", "items": {"type": "string", "maxLength": 10}},
            "rarc": {"type": "array", "items": {"type": "string", "maxLength": 10}},
            "note": nullable({"type": "string", "maxLength": 2000}),
            "delivery": nullable(
                _obj(
                    {
                        "date": ISO_DATE,
                        "method": {"type": "string", "enum": list(DELIVERY_METHODS)},
                        "received_by": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                    ("date", "method", "received_by"),
                )
            ),
        },
        ("to_state", "expected_version"),
    )
    moved = {
        "type": "object",
        "required": ["id", "billing_state", "version", "event"],
        "properties": {
            "id": {"type": "integer"},
            "billing_state": {"type": "string", "enum": list(BILLING_STATES)},
            "version": {"type": "integer"},
            "event": {"type": "object"},
        },
    }
    return {
        "Document": document,
        "CaseSummary": summary,
        "CaseList": {
            "type": "object",
            "required": ["cases"],
            "properties": {"cases": {"type": "array", "items": summary}},
        },
        "CaseView": view,
        "BillingMove": move,
        "BillingMoved": moved,
    }


def error_schemas() -> dict[str, dict]:
    return {
        "FieldErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                }
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["id", "code", "message", "retryable"],
                    "properties": {
                        "id": {"type": "string"},
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "retryable": {"type": "boolean"},
                    },
                }
            },
        },
    }
