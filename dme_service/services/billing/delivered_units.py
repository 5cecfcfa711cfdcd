"""A unit delivered is a prior device of the patient's later open cases, by itself.

Payers pay one cervical traction unit per patient in five years (docs/domain.md §3.6), so a
unit the clinic delivered (proof of delivery recorded with a billing move) is carried into
every later case of the same patient in the clinic (same member id and date of birth) whose
claim is still open, with its source, as a case created afterwards would carry it
(services.cases.same_patient): the decision of each is taken again and warns
`SAME_OR_SIMILAR` (docs/case-format.md, clarification 8). A carried device leaves a case only
with a reason, and one removed or carried before is never carried again.

In the billing move's transaction. It writes the later cases and their decisions only; the
move's caller routes their claims (services.billing.claim), since a claim move is billing's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dme_service.case.patient_match import DeliveredUnit, prior_devices_from
from dme_service.models import Case, User, utcnow
from dme_service.rules.claim import FINISHED_STATES
from dme_service.store import case_versions, signatures
from dme_service.store import same_patient as rows
from dme_service.store.cases import CaseIncomplete, parsed_and_decided
from dme_service.store.decisions import record_decision
from dme_service.store.signed_content import check_signature, current_signature

VOID_REASON = "a unit delivered to the patient on case {source} became a prior device"


@dataclass(frozen=True)
class CarriedInto:
    """A later case that now carries the delivered unit; `voided` when its standing
    signature no longer covered it (a signature over the whole case document); `signer` the
    practitioner whose signature stood on it, to be told (their order did not know of it)."""

    case: Case
    voided: bool
    signer: User | None = None


def carry_into_later_cases(
    session: Session, user: User, case: Case, delivered: date, today: date
) -> list[CarriedInto]:
    """Carry the unit delivered on `case` into the patient's later open cases; decided again."""
    hcpcs = rows.requested_unit(case)
    units = prior_devices_from([DeliveredUnit(hcpcs, delivered, case.id)], today)
    if not units:
        return []  # not a cervical traction unit, or outside the window
    carried = []
    for later in rows.other_cases(session, case):
        if later.id < case.id or later.billing_state in FINISHED_STATES:
            continue
        if any(row.source_case_id == case.id for row in rows.carried_into(session, later.id)):
            continue  # carried already, or removed with a reason
        standing = current_signature(session, later.id)
        signer = standing.signer if standing is not None else None
        rows.carry(session, user, later, units)
        carried.append(CarriedInto(later, _changed(session, user, later, case.id), signer))
    return carried


def _changed(session: Session, user: User, case: Case, source_id: int) -> bool:
    """The case moves on a version and is decided again; a signature that no longer covers
    it is voided with the reason. Returns whether one was voided."""
    case.updated_by_id = user.id
    case.updated_at = utcnow()
    session.flush()
    try:
        _, decision = parsed_and_decided(case)
    except CaseIncomplete:
        case.status = "draft"
    else:
        record_decision(session, case, decision)
    session.flush()
    signature = current_signature(session, case.id)
    voided = signature is not None and not check_signature(session, case).valid
    if voided:
        signatures.void(session, case, signature, user, VOID_REASON.format(source=source_id))
    case_versions.record(session, case, user)
    return voided
