"""What a person sends with a claim move, read field by field: the CARC/RARC codes from the
remittance, the note, and proof of delivery.

Pure (no session, no database): each reader returns the cleaned values or a FieldProblem per
field that cannot be used, and `services.billing` turns those into InvalidInput (422) before
it locks anything. Separate so the claim state machine reads as moves, not as form checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dme_service.coding import carc as codes
from dme_service.db import printable
from dme_service.rules.claim import BILLING_STATES

CODED_STATES = ("denied", "paid")  # remittances carry CARC/RARC on denials and adjustments
DELIVERY_METHODS = {
    "in_clinic": "Handed to the patient in the clinic",
    "courier": "Delivered to the home by courier or staff",
    "shipped": "Shipped by mail or parcel service (tracking on file)",
}
NOTE_MAX = 2000


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


def adjustment_codes(values) -> tuple[str, ...]:
    """CARC or RARC codes, normalized and without repeats, from a list or a typed line."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    return tuple(dict.fromkeys(codes.normalize(str(v)) for v in values if str(v).strip()))


def move_problems(to_state: str, carc, rarc, note) -> list[FieldProblem]:
    """A FieldProblem for each field of a move that cannot be used (empty when all can)."""
    errors = []
    if to_state not in BILLING_STATES:
        errors.append(FieldProblem("to_state", f"{to_state!r} is not a claim state."))
    if (carc or rarc) and to_state not in CODED_STATES:
        errors.append(FieldProblem("carc", "Adjustment codes go with a denial or a payment."))
    if to_state == "denied" and not carc:
        errors.append(FieldProblem("carc", "Record at least one CARC from the remittance."))
    for kind, given in (("carc", carc), ("rarc", rarc)):
        for code in codes.unknown(kind, given):
            errors.append(FieldProblem(kind, f"{code} is not in the code table; check it."))
    if note is not None and len(note) > NOTE_MAX:
        errors.append(FieldProblem("note", f"Keep the note under {NOTE_MAX} characters."))
    if note is not None and not printable(note):
        errors.append(FieldProblem("note", "The note holds control characters; retype it."))
    return errors


def read_delivery(
    delivery: dict[str, Any] | None, *, today: date | None = None
) -> tuple[dict[str, str] | None, list[FieldProblem]]:
    """Proof of delivery as {date, method, received_by} (None when none was given), or a
    FieldProblem for each bad part."""
    if not delivery or not any(str(v or "").strip() for v in delivery.values()):
        return None, []
    errors, when = [], None
    try:
        when = date.fromisoformat(str(delivery.get("date") or "").strip())
    except ValueError:
        errors.append(FieldProblem("delivery.date", "Give the delivery date (YYYY-MM-DD)."))
    # "In the future" against the clinic's day (`today`), not the server's.
    if when is not None and when > (today or date.today()):
        errors.append(FieldProblem("delivery.date", "The delivery date is in the future."))
    method = str(delivery.get("method") or "").strip()
    if method not in DELIVERY_METHODS:
        errors.append(FieldProblem("delivery.method", "Choose how the unit was delivered."))
    received_by = " ".join(str(delivery.get("received_by") or "").split())
    if not received_by or len(received_by) > 200 or not printable(received_by):
        errors.append(FieldProblem("delivery.received_by", "Say who received the unit."))
    if unknown := set(delivery) - {"date", "method", "received_by"}:
        errors.append(FieldProblem("delivery", f"Unknown fields: {', '.join(sorted(unknown))}."))
    if errors:
        return None, errors
    return {"date": when.isoformat(), "method": method, "received_by": received_by}, []
