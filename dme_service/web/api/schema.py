"""The JSON Schemas of the OpenAPI document (web/api/openapi.py): the case and the decision, as
data, and the pieces every schema is built from. Stored records and errors are in
api_record_schema.

The case schema mirrors `case_format` (the one
parser): every constraint written here is one the parser enforces, so a document the schema
forbids is always refused. The parser checks more than JSON Schema can say (billable ICD-10-CM
codes, the NPI check digit, dates not after today, onset before the latest trial): such a
document gets a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from dme_service.case import limits
from dme_service.case.fields import MAX_LIST_ITEMS
from dme_service.case.model import (
    ALSO_REQUESTED,
    AUTHOR_ONLY_CREDENTIALS,
    HOME_DEVICES,
    POSITIONS,
    SCREENING_KEYS,
    SIGNING_CREDENTIALS,
    TRIAL_DEVICES,
)
from dme_service.coding.payers import payer_ids
from dme_service.rules.decision import STATUSES

MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL; larger ones cannot exist
MAX_NUMBER = 1e9  # case_fields.MAX_NUMBER
LIST_LIMIT = 200
ISO_DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


def nullable(schema: dict) -> dict:
    """The schema or null: the parser reads null as "not given" for optional fields."""
    kind = schema.get("type")
    if isinstance(kind, str) and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def closed_object(properties: dict, required: tuple[str, ...] = ()) -> dict:
    """An object with exactly these properties: the parser refuses keys it does not know."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def ref(schema_name: str) -> dict:
    """A reference to one of the document's component schemas."""
    return {"$ref": f"#/components/schemas/{schema_name}"}


POSITIVE = {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_NUMBER}
PAIN = {"type": "integer", "minimum": 0, "maximum": 10}
COUNT = {"type": "integer", "minimum": 1, "maximum": MAX_NUMBER}
TEXT = {"type": "string", "minLength": 1}
# The parser's bounds (case_limits; docs/security.md IN-2), stated so clients can check before
# sending.
ONE_LINE = "^[^\\u0000-\\u001f\\u007f]*$"  # no control characters (the parser refuses them)
NAME = {**TEXT, "maxLength": limits.MAX_NAME, "pattern": ONE_LINE}
MEMBER_ID = {**TEXT, "maxLength": limits.MAX_MEMBER_ID, "pattern": ONE_LINE}
CODE = {**TEXT, "maxLength": limits.MAX_CODE}


def case_schemas() -> dict[str, dict]:
    """The dme-case/1 document (case-format.md) as JSON Schema."""
    return {
        "CaseDocument": _case_document(),
        "CaseChanges": _case_changes(),
        "Patient": _patient(),
        "Trial": _trial(),
        "HomeRequest": _home_request(),
    }


def _case_document() -> dict:
    document = closed_object(
        {
            "format": nullable({"type": "string", "enum": ["dme-case/1"]}),
            "patient": ref("Patient"),
            "payer": {"type": "string", "enum": list(payer_ids())},
            "diagnoses": {
                "type": "array",
                "minItems": 1,
                "maxItems": limits.MAX_DIAGNOSES,
                "uniqueItems": True,
                "items": CODE,
            },
            "onset_date": nullable(ISO_DATE),
            "trials": nullable(
                {"type": "array", "maxItems": limits.MAX_TRIALS, "items": ref("Trial")}
            ),
            "screening": nullable(
                closed_object({key: nullable({"type": "boolean"}) for key in SCREENING_KEYS})
            ),
            "request": nullable(ref("HomeRequest")),
            "also_requested": nullable(
                {
                    "type": "array",
                    "maxItems": MAX_LIST_ITEMS,
                    "items": {"type": "string", "enum": list(ALSO_REQUESTED)},
                }
            ),
            "treating_practitioner": _treating_practitioner(),
            "abn_on_file": nullable({"type": "boolean"}),
            "prior_devices": nullable(
                {"type": "array", "maxItems": limits.MAX_PRIOR_DEVICES, "items": _prior_device()}
            ),
        },
        ("patient", "payer", "diagnoses", "treating_practitioner"),
    )
    document["description"] = "A dme-case/1 case document (case-format.md)."
    return document


def _case_changes() -> dict:
    """Some top-level keys of the document, each replacing the stored value (null removes an
    optional one); the rest of the case stays as stored (PATCH /api/v1/cases/{id})."""
    changes = _case_document()
    del changes["required"]
    changes["minProperties"] = 1
    changes["properties"]["history"] = {
        **nullable(ref("History")),
        "description": "The clinical history kept beside the document (case-format.md), "
        "replaced whole; null removes it",
    }
    changes["description"] = (
        "Top-level keys of the dme-case/1 document (case-format.md) to replace, and `history`; "
        "keys not sent stay as stored. The treating practitioner is named by NPI: an active "
        "user of the clinic who may sign."
    )
    return changes


def _patient() -> dict:
    return closed_object(
        {
            "name": NAME,
            "date_of_birth": ISO_DATE,
            "member_id": MEMBER_ID,
            "weight_lb": nullable(POSITIVE),
        },
        ("name", "date_of_birth", "member_id"),
    )


TRIAL_RULE = (
    "A supervised in-clinic trial. `device` is a HCPCS code (a home-unit trial: the unit was set "
    "up on the patient in the clinic) or `mechanical` / `manual` (a clinic trial). The latest "
    "trial by date, of any device, gives `trial_response` and TRIAL_WORSENED; the latest "
    "home-unit trial decides criterion 2 (case-format.md clarification 13, revision 2)."
)
HOME_TRIAL_ANSWER = (
    "Read only on the latest home-unit trial (absent or null there: incomplete); optional and "
    "ignored on mechanical and manual trials."
)
WARNING_CODES = (
    "INVERSION_TABLE_UNSUPERVISED",
    "INVERSION_HIGH_RISK",
    "INVERSION_TABLE_REQUESTED",
    "HOME_LUMBAR_TRACTION",
    "PRECAUTION",
    "OVER_DOOR_FORCE",
    "ORDER_FREQUENCY_PRN",
    "SAME_OR_SIMILAR",
    "DEMONSTRATED_DEVICE_DIFFERS",
    "DIAGNOSIS_EXCLUDES1",
)


def _trial() -> dict:
    answer = nullable({"type": "boolean"}) | {"description": HOME_TRIAL_ANSWER}
    trial = closed_object(
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
            "use_demonstrated": answer,
            "tolerated": answer,
        },
        ("date", "device", "force_lb", "minutes", "pain_before", "pain_after")
        + ("peripheralization", "new_neuro_signs"),
    )
    return trial | {"description": TRIAL_RULE}


def _home_request() -> dict:
    return closed_object(
        {
            "hcpcs": nullable({"type": "string", "enum": list(HOME_DEVICES)}),
            "force_lb": nullable(POSITIVE),
            "minutes": nullable(POSITIVE),
            "sessions_per_day": nullable(COUNT),
            "length_of_need_months": nullable(COUNT),
            "frequency_text": nullable(
                {"type": "string", "maxLength": limits.MAX_FREQUENCY_TEXT, "pattern": ONE_LINE}
            ),
        }
    )


def _treating_practitioner() -> dict:
    credentials = list(SIGNING_CREDENTIALS + AUTHOR_ONLY_CREDENTIALS)
    return closed_object(
        {
            "name": NAME,
            "npi": {"type": "string", "pattern": "^[0-9]{10}$"},
            "credential": {"type": "string", "enum": credentials},
        },
        ("name", "npi", "credential"),
    )


def _prior_device() -> dict:
    return closed_object(
        {
            "hcpcs": {"type": "string", "pattern": "^[A-V][0-9]{4}$"},
            "date": ISO_DATE,
        },
        ("hcpcs", "date"),
    )


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
            "warnings": {"type": "array", "items": _warning()},
            "reasons": {"type": "array", "items": _reason()},
            "policy": _policy(),
        },
    }


def _warning() -> dict:
    return {
        "type": "object",
        "required": ["code", "text"],
        "properties": {
            "code": {
                "type": "string",
                "description": "One of "
                + ", ".join(WARNING_CODES)
                + " (case-format.md `warnings`); new codes may be added.",
                "examples": list(WARNING_CODES),
            },
            "text": {"type": "string"},
        },
    }


def _reason() -> dict:
    return {
        "type": "object",
        "required": ["code", "met", "text", "source"],
        "properties": {
            "code": {"type": "string"},
            "met": {"type": "boolean"},
            "text": {"type": "string"},
            "source": {"type": "string"},
        },
    }


def _policy() -> dict:
    return {
        "type": "object",
        "required": ["payer", "id", "effective"],
        "properties": {
            "payer": {"type": "string"},
            "id": {"type": "string"},
            "effective": {"type": ["string", "null"]},
        },
    }
