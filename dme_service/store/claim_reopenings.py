"""Medicare reopening requests: the rows billing records when it asks a DME MAC to correct a
claim it processed, and their outcome (models.ClaimReopening)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.claims import reopening
from dme_service.models import ClaimReopening


def of_case(session: Session, case_id: int) -> list[ClaimReopening]:
    """Every request of the case, newest first."""
    query = select(ClaimReopening).where(ClaimReopening.case_id == case_id)
    return list(session.scalars(query.order_by(ClaimReopening.id.desc())))


def latest(session: Session, case_ids) -> dict[int, ClaimReopening]:
    """The newest request of each case that has one, by case id (one read)."""
    ids = list(case_ids)
    if not ids:
        return {}
    query = select(ClaimReopening).where(ClaimReopening.case_id.in_(ids))
    found: dict[int, ClaimReopening] = {}
    for row in session.scalars(query.order_by(ClaimReopening.id)):
        found[row.case_id] = row
    return found


def as_request(row: ClaimReopening) -> reopening.Request:
    return reopening.Request(
        method=row.method,
        requested_on=row.requested_on,
        reference=row.reference,
        icn=row.icn,
        outcome=row.outcome,
        decided_on=row.decided_on,
    )
