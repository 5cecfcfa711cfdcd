"""The JSON API's bodies: stored cases, documents and claim moves as JSON, and the strict
reading of a claim-move body (every key known, every value of its type: docs/security.md IN-1).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import url_for

from dme_service.coding.payers import payer_ids
from dme_service.rules.decision import CASE_STATUSES
from dme_service.services import documents as document_service
from dme_service.services import order_amendment, signed_order
from dme_service.store.cases import load_case, patient_document, to_document
from dme_service.store.decisions import latest_decision_json
from dme_service.store.history import history_document

__all__ = [
    "CASE_STATUSES",
    "FieldProblems",
    "billing_move",
    "case_edit",
    "case_summary",
    "case_view",
]
MOVE_KEYS = ("to_state", "expected_version", "carc", "rarc", "note", "delivery", "service_date")
EDIT_KEYS = ("expected_version", "changes", "confirm_void")
MAX_VERSION = 2**31 - 1


class FieldProblems(Exception):
    """A 422 answer: `{"errors": [{"field", "message"}]}`."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


def problem(field: str, message: str) -> dict:
    return {"field": field, "message": message}


def payers() -> tuple[str, ...]:
    return payer_ids()


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def case_summary(case) -> dict[str, Any]:
    """What a case list shows: identifiers, payer, decision status and claim state."""
    return {
        "id": case.id,
        "version": case.version,
        "status": case.status,
        "billing_state": case.billing_state,
        "payer": case.payer,
        "patient": patient_document(case.patient),
        "updated_at": _when(case.updated_at),
        "url": url_for("api.get_case", case_id=case.id),
    }


def case_view(session, case, *, clinical: bool = False) -> dict[str, Any]:
    """The case document, the latest decision, the claim state and the stored documents.

    No clinical free text (`notes`) for billing, who reads this too (docs/security.md AC-3):
    the recorded history (`history`) only when `clinical` (a clinician or practitioner asks).
    """
    versions = document_service.versions_of(session, case)
    view = {
        **case_summary(case),
        "created_at": _when(case.created_at),
        "case": to_document(case),
        "decision": latest_decision_json(session, case.id),
        "documents": [document_info(v) for rows in versions.values() for v in rows],
        "signature": signed_order.signature_state(session, case).as_json(),
        "order_amendment": _amendment(session, case),
    }
    if clinical:
        view["history"] = history_document(case) or {}
    return view


def _amendment(session, case) -> dict[str, Any] | None:
    """The latest amendment of the order, without the clinician's reason (clinical text)."""
    amended = order_amendment.latest(session, case)
    if amended is None:
        return None
    sent = amended.sent_on
    return {
        "order_version": amended.order_version,
        "amended_at": _when(amended.amended_at),
        "amended_by": amended.amended_by,
        "claim_state": amended.row.claim_state,
        "corrected_claim": "needed" if amended.pending else "sent",
        "payer_claim_number": amended.payer_claim_number,
        "corrected_sent_on": sent.isoformat() if sent else None,
        "original_signature_intact": bool(amended.kept_intact),
        "changed": amended.changed,
        "correction_path": amended.path,
        "reopening": _reopening(amended.request),
    }


def _reopening(request) -> dict[str, Any] | None:
    """The latest request to the Medicare DME MAC to reopen the claim, or None."""
    if request is None:
        return None
    return {
        "method": request.method,
        "requested_on": request.requested_on.isoformat(),
        "reference": request.reference,
        "icn": request.icn,
        "outcome": request.outcome,
        "decided_on": request.decided_on.isoformat() if request.decided_on else None,
    }


def document_info(document, current: bool | None = None) -> dict[str, Any]:
    """A stored version (a Document row or a services.documents.Version), without bytes.

    `current`: made from the case and signature as they are now (a Version knows; for a row
    the caller says). `case_version` is the case version it was made from (null for documents
    stored before that was recorded). A current one's url is "the current document" (made
    again should the case change before it is fetched); any other's is that stored version.
    """
    if current is None:
        current = getattr(document, "current", document.superseded_at is None)
    info = {
        "id": document.id,
        "kind": document.kind,
        "lang": document.lang,
        "version": document.version,
        "case_version": document.case_version,
        "sha256": document.sha256,
        "created_at": _when(document.created_at),
        "superseded_at": _when(document.superseded_at),
        "current": current,
        "url": url_for(
            "api.get_document", case_id=document.case_id, kind=document.kind, lang=document.lang
        )
        if current
        else url_for("documents.download", case_id=document.case_id, document_id=document.id),
    }
    size = getattr(document, "size", None)
    if size is None and getattr(document, "content", None) is not None:
        size = len(document.content)  # a Document row carries its bytes
    if size is not None:
        info["size"] = size
    return info


# --- claim moves ---------------------------------------------------------------------------


def case_edit(body: Any) -> dict[str, Any]:
    """The arguments of a case edit from a JSON body, or FieldProblems: the version read,
    the changed top-level keys of the case document, and whether a signature may be voided."""
    if not isinstance(body, dict):
        raise FieldProblems([problem("$", "the body must be a JSON object")])
    errors = [problem(k, "unknown key") for k in body if k not in EDIT_KEYS]
    version = _version(body, errors)
    changes = body.get("changes")
    if not isinstance(changes, dict) or not changes:
        errors.append(
            problem("changes", "required: an object of the case document's keys to change")
        )
    confirm = body.get("confirm_void", False)
    if not isinstance(confirm, bool):
        errors.append(problem("confirm_void", "must be true or false"))
    if errors:
        raise FieldProblems(errors)
    return {"expected_version": version, "changes": changes, "confirm_void": confirm}


def _version(body: dict, errors: list) -> int | None:
    version = body.get("expected_version")
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        errors.append(problem("expected_version", "required: the case version you last read"))
        return None
    return version


def billing_move(body: Any) -> dict[str, Any]:
    """The keyword arguments of `billing.transition` from a JSON body, or FieldProblems."""
    if not isinstance(body, dict):
        raise FieldProblems([problem("$", "the body must be a JSON object")])
    errors = [problem(k, "unknown key") for k in body if k not in MOVE_KEYS]
    to_state = body.get("to_state")
    if not isinstance(to_state, str):
        errors.append(problem("to_state", "required: the claim state to move to"))
    version = body.get("expected_version")
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        errors.append(problem("expected_version", "required: the case version you last read"))
    codes = {name: _code_list(body, name, errors) for name in ("carc", "rarc")}
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        errors.append(problem("note", "must be a string"))
    delivery = _delivery(body.get("delivery"), errors)
    service_date = _service_date(body.get("service_date"), errors)
    if errors:
        raise FieldProblems(errors)
    return {
        "to_state": to_state,
        "expected_version": version,
        **codes,
        "note": note,
        "delivery": delivery,
        "service_date": service_date,
    }


AMEND_KEYS = ("expected_version", "reason")


def order_amendment_request(body: Any) -> dict[str, Any]:
    """The keyword arguments of `order_amendment.amend` from a JSON body, or FieldProblems:
    the case version last read and the reason (its words are the service's, as on the page)."""
    if not isinstance(body, dict):
        raise FieldProblems([problem("$", "the body must be a JSON object")])
    errors = [problem(k, "unknown key") for k in body if k not in AMEND_KEYS]
    version = body.get("expected_version")
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        errors.append(problem("expected_version", "required: the case version you last read"))
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        errors.append(problem("reason", "must be a string"))
    else:
        errors += [problem(k, m) for k, m in order_amendment.check_reason(reason).items()]
    if errors:
        raise FieldProblems(errors)
    return {"expected_version": version, "reason": reason}


def _service_date(value: Any, errors: list) -> date | None:
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.append(problem("service_date", "must be a date, YYYY-MM-DD"))
    return None


def _code_list(body: dict, name: str, errors: list) -> tuple[str, ...]:
    value = body.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(problem(name, "must be a list of code strings"))
        return ()
    return tuple(value)


def _delivery(value: Any, errors: list) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append(problem("delivery", "must be an object: date, method, received_by"))
        return None
    for key in ("date", "method", "received_by"):
        if not isinstance(value.get(key), str):
            errors.append(problem(f"delivery.{key}", "required (a string)"))
    return value


def billing_moved(session, user, case_id: int, event) -> dict[str, Any]:
    """The claim after a move: its state and version now, and the move as recorded."""
    case = load_case(session, user, case_id)
    return {
        "id": case_id,
        "billing_state": case.billing_state,
        "version": case.version,
        "event": {
            "from_state": event.from_state,
            "to_state": event.to_state,
            "at": _when(event.at),
            "carc": list(event.carc_codes or []),
            "rarc": list(event.rarc_codes or []),
            "note": event.note,
            "delivery": event.delivery,
        },
    }


def current_claim(refused) -> dict | None:
    """The claim's state and version now, when a refusal carries them (a stale move)."""
    if getattr(refused, "current_state", None) is not None:
        return {"billing_state": refused.current_state, "version": refused.current_version}
    if getattr(refused, "from_state", None) is not None:  # an illegal move: where it stands
        return {"billing_state": refused.from_state}
    return None
