"""The JSON answers of a refused case edit (`PATCH /api/v1/cases/{id}`).

Field errors name the field by its path in the request (`changes.request.force_lb`); a save
that would void the practitioner's signature, or change an order whose claim was submitted,
answers 409 naming the signed facts it changes and who signed; a save made on an older
version answers 409 with the version now stored.
"""

from __future__ import annotations

from flask import Response, jsonify

from dme_service.services.signed_order import OrderFrozen, SignatureWouldVoid
from dme_service.web.errors import Refused, error_response

CONFIRM_NEXT = (
    'Nothing was saved. To save anyway, send the same changes again with "confirm_void": true; '
    "the signature is then voided and the order returns to {signer} for a new signature."
)
FROZEN_NEXT = "Nothing was saved; the signed order stays as it was signed."
STALE_NEXT = "Nothing was saved. Read the case again (GET), then make the change on its version."


def in_changes(errors, changes: dict) -> list[dict]:
    """The parser's errors as the 422 body's entries, each path named inside the request's
    `changes` when its top-level key was sent (`request.force_lb` -> `changes.request.force_lb`)."""
    named = []
    for error in errors:
        field = error.field
        top = field.split(".", 1)[0].split("[", 1)[0]
        if field == "$":
            field = "changes"
        elif top in changes:
            field = f"changes.{field}"
        named.append({"field": field, "message": error.message})
    return named


def signed_order(refused: SignatureWouldVoid | OrderFrozen) -> Response:
    """409: the signature the save would void (or the frozen claim) and the signed facts
    the save changes, each with its value as signed and as sent."""
    if isinstance(refused, SignatureWouldVoid):
        code, next_step = "signature_would_void", CONFIRM_NEXT.format(signer=refused.signer)
    else:
        code, next_step = "order_frozen", FROZEN_NEXT
    response = error_response(409, Refused(409, refused.message, next_step))
    payload = response.get_json()
    payload["error"]["code"] = code
    payload["signed_facts_changed"] = [
        {"field": c.path, "label": c.label, "signed": c.before, "sent": c.after}
        for c in refused.changes
    ]
    if isinstance(refused, SignatureWouldVoid):
        payload["signature"] = {"signed_by": refused.signer, "signed_on": refused.signed_on}
    else:
        payload["claim_state"] = refused.state
    response.set_data(jsonify(payload).get_data())
    return response


def stale(conflict) -> Response:
    """409: someone saved the case after the caller read it; the version now stored."""
    what = (
        f"Case {conflict.case_id} was saved by {conflict.changed_by or 'someone else'} after "
        f"you read it: it is at version {conflict.current_version}, you sent "
        f"{conflict.your_version}."
    )
    response = error_response(409, Refused(409, what, STALE_NEXT))
    payload = response.get_json()
    payload["current"] = {"version": conflict.current_version}
    response.set_data(jsonify(payload).get_data())
    return response
