"""The practitioner's list of orders awaiting their signature, as they read it: which unit
(HCPCS and words), who asks (the clinician who wrote the case), how long it has waited, and
whether it comes back after their own signature was voided. Oldest first.

The cases are `signing.awaiting_signature`'s (which also catches signatures that no longer
match); "waiting since" is the latest move of the claim to awaiting signature.

Beside the list: orders the practitioner signed that were given a prior device afterwards (a
unit the clinic delivered to the same patient, carried in by billing's proof of delivery,
docs/domain.md §3.6). The signature over the signed facts stands, but what they signed did
not know of a same-or-similar unit, so it is shown while the claim is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dme_service.coding import codes
from dme_service.models import BillingEvent, Case, Signature, User, utcnow
from dme_service.services import signing
from dme_service.store import same_patient


@dataclass(frozen=True)
class WaitingOrder:
    case: Case
    hcpcs: str
    device_words: str
    requester: str
    since: datetime
    waiting: str  # "waiting 2 days"
    # a signature of this order was voided, or the order amended: it comes back to be signed
    resign: bool


def waiting_orders(session: Session, user: User, limit: int = 100) -> list[WaitingOrder]:
    """The user's orders awaiting signature, the one waiting longest first."""
    cases = signing.awaiting_signature(session, user, limit=limit)
    ids = [case.id for case in cases]
    since = _waiting_since(session, ids)
    voided = _voided(session, ids)
    now = utcnow()
    orders = []
    for case in cases:
        started = since.get(case.id) or case.updated_at
        hcpcs = case.home_prescription.hcpcs if case.home_prescription else "E0860"
        orders.append(
            WaitingOrder(
                case=case,
                hcpcs=hcpcs,
                device_words=codes.HCPCS_DESCRIPTORS.get(hcpcs, ""),
                requester=case.author.name if case.author else "",
                since=started,
                waiting=waiting_words(now - started),
                resign=case.id in voided,
            )
        )
    return sorted(orders, key=lambda order: (order.since, order.case.id))


def _waiting_since(session: Session, case_ids: list[int]) -> dict[int, datetime]:
    if not case_ids:
        return {}
    query = (
        select(BillingEvent.case_id, func.max(BillingEvent.at))
        .where(BillingEvent.case_id.in_(case_ids), BillingEvent.to_state == "awaiting_signature")
        .group_by(BillingEvent.case_id)
    )
    return {case_id: _aware(at) for case_id, at in session.execute(query)}


def _aware(moment: datetime) -> datetime:
    """func.max returns the raw column value; SQLite's is naive UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _voided(session: Session, case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    query = select(Signature.case_id).where(
        Signature.case_id.in_(case_ids),
        or_(Signature.voided_at.is_not(None), Signature.superseded_at.is_not(None)),
    )
    return set(session.scalars(query))


def waiting_words(waited) -> str:
    """How long an order has waited, as a person says it: "waiting 3 hours", "waiting 2 days"."""
    seconds = max(int(waited.total_seconds()), 0)
    days, hours = seconds // 86400, seconds // 3600
    if days >= 1:
        return f"waiting {days} day{'s' if days != 1 else ''}"
    if hours >= 1:
        return f"waiting {hours} hour{'s' if hours != 1 else ''}"
    return "waiting less than an hour"


@dataclass(frozen=True)
class CarriedUnit:
    """A unit carried into an order after the practitioner signed it."""

    case: Case
    hcpcs: str
    device_words: str
    delivered_on: date
    source_case_id: int
    carried_at: datetime


def carried_since_signed(
    session: Session, user: User, case_id: int | None = None
) -> list[CarriedUnit]:
    """The prior devices carried into the user's signed orders since they signed (of one case
    with `case_id`), oldest first; open claims only (store.same_patient)."""
    rows = same_patient.carried_since_signed(session, user.id, case_id)
    return [
        CarriedUnit(
            case=session.get(Case, row.case_id),
            hcpcs=row.hcpcs,
            device_words=codes.HCPCS_DESCRIPTORS.get(row.hcpcs, ""),
            delivered_on=row.delivered_on,
            source_case_id=row.source_case_id,
            carried_at=row.carried_at,
        )
        for row in rows
    ]
