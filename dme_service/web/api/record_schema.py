"""The JSON Schemas of what the API answers and accepts besides the case format: stored cases,
their documents, claim moves and errors (web/api/openapi.py puts them in its components)."""

from __future__ import annotations

from dme_service.case import history as case_history
from dme_service.claims import reopening
from dme_service.rules.claim import BILLING_STATES
from dme_service.rules.decision import CASE_STATUSES
from dme_service.services.documents import DOCUMENT_KINDS
from dme_service.services.order_amendment import REASON_MAX
from dme_service.web.api.schema import ISO_DATE, MAX_ID, closed_object, nullable, ref

DELIVERY_METHODS = ("in_clinic", "courier", "shipped")
WHEN = {"type": "string", "format": "date-time"}


def record_schemas() -> dict[str, dict]:
    """Stored cases, their documents and claim moves, as the API answers them."""
    summary = {
        "type": "object",
        "required": list(_summary_properties()),
        "properties": _summary_properties(),
    }
    return {
        "Document": _document(),
        "CaseSummary": summary,
        "CaseList": {
            "type": "object",
            "required": ["cases"],
            "properties": {"cases": {"type": "array", "items": summary}},
        },
        "CaseView": _case_view(),
        "History": history_schema(),
        "Signature": _signature(),
        "CaseEdit": _case_edit(),
        "EditRefused": _edit_refused(),
        "OrderAmendment": _order_amendment(),
        "BillingMove": _billing_move(),
        "OrderAmendmentRequest": _order_amendment_request(),
        "BillingMoved": _billing_moved(),
    }


def _document() -> dict:
    return {
        "type": "object",
        "required": [
            "id",
            "kind",
            "lang",
            "version",
            "case_version",
            "sha256",
            "created_at",
            "current",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
            "lang": {"type": "string", "enum": ["en", "es"]},
            "version": {"type": "integer", "minimum": 1},
            "case_version": {
                **nullable({"type": "integer"}),
                "description": "The case version the document was made from (null: stored "
                "before this was recorded)",
            },
            "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "size": {"type": "integer", "minimum": 0},
            "created_at": WHEN,
            "superseded_at": nullable(WHEN),
            "current": {
                "type": "boolean",
                "description": "Made from the case and the signature as they are now (a "
                "signed SWO or LMN: while its signature stands). False as soon as the case or "
                "the signature changes, even before a newer version is stored",
            },
            "url": {
                "type": "string",
                "description": "For a current document, the address of the current one (made "
                "again on request if the case has changed since); otherwise this stored, "
                "superseded version",
            },
        },
    }


def _summary_properties() -> dict:
    """A case in a list; the full view has these and more."""
    return {
        "id": {"type": "integer"},
        "version": {"type": "integer"},
        "status": {"type": "string", "enum": list(CASE_STATUSES)},
        "billing_state": {"type": "string", "enum": list(BILLING_STATES)},
        "payer": {"type": ["string", "null"]},
        "patient": {"type": "object"},
        "updated_at": WHEN,
        "url": {"type": "string"},
    }


def _case_view() -> dict:
    summary_properties = _summary_properties()
    return {
        "type": "object",
        "required": list(summary_properties)
        + ["case", "decision", "documents", "created_at", "signature", "order_amendment"],
        "properties": {
            **summary_properties,
            "created_at": WHEN,
            "signature": ref("Signature"),
            "order_amendment": nullable(ref("OrderAmendment")),
            "case": {"type": "object", "description": "The stored case as a dme-case/1 document"},
            "decision": nullable(ref("Decision")),
            "documents": {"type": "array", "items": ref("Document")},
            "history": {
                **ref("History"),
                "description": "Only for the clinical team (clinician, practitioner): the "
                "clinical history recorded beside the case, which the letter of medical "
                "necessity states. Billing never receives it (docs/security.md AC-3).",
            },
            "same_patient": {
                "type": "object",
                "description": "Only when the case was just created: the patient's other "
                "cases in the clinic (same member id and date of birth), the units delivered "
                "on them carried as prior devices, and open cases that would make a duplicate "
                "claim. `warning` is null for a patient's first case.",
            },
        },
    }


def history_schema() -> dict:
    """The clinical history kept beside the case (case/history.py): only recorded keys."""
    text = {"type": "string", "minLength": 1, "maxLength": case_history.MAX_TEXT}
    result = {"type": "string", "enum": list(case_history.TEST_RESULTS)}
    properties = {
        "physical_therapy_weeks": {
            "type": "integer",
            "minimum": 1,
            "maximum": case_history.MAX_PT_WEEKS,
        },
        "physical_therapy_traction": {"type": "string", "enum": ["with", "without"]},
        "clinic_traction_sessions": {
            "type": "integer",
            "minimum": 1,
            "maximum": case_history.MAX_CLINIC_TRACTION_SESSIONS,
        },
        "imaging_kind": {"type": "string", "enum": list(case_history.STUDY_KINDS)},
        "imaging_date": ISO_DATE,
        "ndi_percent": {"type": "integer", "minimum": 0, "maximum": 100},
        "psfs_average": {"type": "number", "minimum": 0, "maximum": 10},
        **{key: text for key in case_history.TEXT_KEYS},
        **{key: result for key in (*case_history.TESTS, "mobility_peripheralization")},
    }
    schema = closed_object({key: properties[key] for key in case_history.FIELDS})
    schema["description"] = (
        "Prior treatment and its results, objective findings, imaging and functional scores; "
        "a fact not recorded is absent"
    )
    return schema


def _signature() -> dict:
    """The order's signature state: what the case page shows at its top."""
    text = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "The practitioner's signature of the order (SWO) and letter (LMN). It "
        "covers the facts those documents print; a change to one of them voids it.",
        "required": [
            "state",
            "valid",
            "signed_by",
            "signed_at",
            "method",
            "voided_at",
            "void_reason",
            "problem",
            "awaiting_signature_by",
            "order_version",
            "superseded_at",
        ],
        "properties": {
            "state": {
                "type": "string",
                "enum": ["signed", "voided", "superseded", "awaiting", "none"],
                "description": "signed: the newest signature stands (see `valid`); voided: "
                "the newest was voided (see `void_reason`); superseded: the order was amended "
                "after its claim went to the payer, and the newest signature stays on file for "
                "the claim billed on it while the amended order awaits a new one; awaiting: "
                "never signed, waiting for `awaiting_signature_by`; none: not sent for signature",
            },
            "order_version": {
                "type": "integer",
                "minimum": 1,
                "description": "1, then one more for each amendment of the order after its "
                "claim went to the payer",
            },
            "superseded_at": nullable(WHEN),
            "valid": {
                "type": "boolean",
                "description": "The signature still covers the case as it is now (recomputed "
                "on every read)",
            },
            "signed_by": {**text, "description": "Name and credential of the signer"},
            "signed_at": nullable(WHEN),
            "method": {**text, "description": "electronic, or wet (a scan signed in ink)"},
            "voided_at": nullable(WHEN),
            "void_reason": {
                **text,
                "description": "Why it was voided, naming the signed facts that changed",
            },
            "problem": {
                **text,
                "description": "A standing signature that no longer matches: why",
            },
            "awaiting_signature_by": {
                **text,
                "description": "The practitioner the order waits for, while it waits",
            },
        },
    }


def _case_edit() -> dict:
    return closed_object(
        {
            "expected_version": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "changes": ref("CaseChanges"),
            "confirm_void": {
                "type": "boolean",
                "description": "Save even though a fact the practitioner signed changes: the "
                "signature is voided and the order returns to the practitioner",
            },
        },
        ("expected_version", "changes"),
    )


def _edit_refused() -> dict:
    """409 of a case edit: the error, and what it is about (signed facts, the claim's state,
    or the version stored now)."""
    schema = _error()
    change = {
        "type": "object",
        "required": ["field", "label", "signed", "sent"],
        "properties": {name: {"type": "string"} for name in ("field", "label", "signed", "sent")},
    }
    schema["properties"] |= {
        "signed_facts_changed": {"type": "array", "items": change},
        "signature": {
            "type": "object",
            "required": ["signed_by", "signed_on"],
            "properties": {"signed_by": {"type": "string"}, "signed_on": {"type": "string"}},
        },
        "claim_state": {"type": "string", "enum": list(BILLING_STATES)},
        "current": {
            "type": "object",
            "required": ["version"],
            "properties": {"version": {"type": "integer"}},
        },
    }
    return schema


def _order_amendment() -> dict:
    """The latest amendment of the order (a new order version for a corrected claim)."""
    text = {"type": ["string", "null"]}
    properties = {
        "order_version": {"type": "integer", "minimum": 2},
        "amended_at": WHEN,
        "amended_by": {"type": "string"},
        "claim_state": {
            "type": "string",
            "enum": list(BILLING_STATES),
            "description": "The claim's state when the order was amended",
        },
        "corrected_claim": {
            "type": "string",
            "enum": ["needed", "sent"],
            "description": "needed: the next 837P of the claim is a replacement (frequency "
            "code 7); sent: the file carrying it was confirmed sent, or for a Medicare claim "
            "the reopening was asked of the DME MAC (see `reopening`)",
        },
        "payer_claim_number": {
            **text,
            "description": "The payer's claim control number of the claim replaced (CLP07 of "
            "its 835, REF*F8 of the corrected claim); null while unknown",
        },
        "corrected_sent_on": nullable(ISO_DATE),
        "original_signature_intact": {
            "type": "boolean",
            "description": "The signature the original claim was billed on is kept and still "
            "proves what was signed",
        },
        "changed": {
            "type": "string",
            "description": "The signed facts changed since that signature, in words",
        },
        "correction_path": {
            "type": "string",
            "enum": ["replacement", "reopening", "new_claim"],
            "description": "How the correction reaches the payer: replacement, a corrected "
            "837P (frequency 7); reopening, Medicare's DME MAC is asked to reopen the claim "
            "(it takes no replacement claim); new_claim, Medicare returned the original as "
            "unprocessable (MA130), so the claim goes again as a new one",
        },
        "reopening": nullable(_reopening()),
    }
    return {
        "type": "object",
        "description": "The order was amended after its claim went to the payer. The "
        "clinician's reason is clinical text and is not in the API.",
        "required": list(properties),
        "properties": properties,
    }


def _reopening() -> dict:
    """The latest request to a Medicare DME MAC to reopen the claim, and its answer."""
    properties = {
        "method": {"type": "string", "enum": list(reopening.METHODS)},
        "requested_on": ISO_DATE,
        "reference": {
            "type": ["string", "null"],
            "description": "The DME MAC's reference for the request",
        },
        "icn": {"type": ["string", "null"], "description": "The claim's ICN quoted"},
        "outcome": {"type": "string", "enum": [reopening.PENDING, *reopening.OUTCOME_LABELS]},
        "decided_on": nullable(ISO_DATE),
    }
    return {"type": "object", "required": list(properties), "properties": properties}


def _billing_move() -> dict:
    return closed_object(
        {
            "to_state": {"type": "string", "enum": list(BILLING_STATES)},
            "expected_version": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "carc": {"type": "array", "items": {"type": "string", "maxLength": 10}},
            "rarc": {"type": "array", "items": {"type": "string", "maxLength": 10}},
            "note": nullable({"type": "string", "maxLength": 2000}),
            "delivery": nullable(_delivery()),
            # The claim's date of service, typed with a move that sends the claim
            "service_date": nullable(ISO_DATE),
        },
        ("to_state", "expected_version"),
    )


def _order_amendment_request() -> dict:
    return closed_object(
        {
            "expected_version": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "reason": {
                "type": "string",
                "minLength": 1,
                "maxLength": REASON_MAX,
                "description": "Why the order must change, in the clinician's words: the "
                "practitioner reads it on the order to sign again (clinical text: never shown "
                "to billing, never in an audit row)",
            },
        },
        ("expected_version", "reason"),
    )


def _delivery() -> dict:
    return closed_object(
        {
            "date": ISO_DATE,
            "method": {"type": "string", "enum": list(DELIVERY_METHODS)},
            "received_by": {"type": "string", "minLength": 1, "maxLength": 200},
        },
        ("date", "method", "received_by"),
    )


def _billing_moved() -> dict:
    return {
        "type": "object",
        "required": ["id", "billing_state", "version", "event"],
        "properties": {
            "id": {"type": "integer"},
            "billing_state": {"type": "string", "enum": list(BILLING_STATES)},
            "version": {"type": "integer"},
            "event": {"type": "object"},
        },
    }


def error_schemas() -> dict[str, dict]:
    """Field errors (422, each naming its dotted path) and every other refusal."""
    return {"FieldErrors": _field_errors(), "Error": _error(), "TooLarge": _too_large()}


def _field_errors() -> dict:
    return {
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
    }


def _too_large() -> dict:
    """413: the error, and the body named as the one field too large (`$`)."""
    schema = _error()
    schema["properties"]["errors"] = _field_errors()["properties"]["errors"]
    return schema


def _error() -> dict:
    return {
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
    }
