"""Claim postings: each claim payment an 835 posted to a claim (models.ClaimPosting), reversals
(take-backs) with their amounts negative, oldest first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dme_service.models import Case, ClaimPosting, ClaimRecord


def of_case(session: Session, case_id: int) -> list[ClaimPosting]:
    """The case's postings in the order they were posted."""
    query = (
        select(ClaimPosting)
        .options(selectinload(ClaimPosting.remittance))
        .where(ClaimPosting.case_id == case_id)
        .order_by(ClaimPosting.id)
    )
    return list(session.scalars(query))


def reversals(session: Session, clinic_id: int, start, end) -> list[tuple[ClaimPosting, str]]:
    """The clinic's take-backs on claims submitted from `start` to `end`, with each case's payer
    (the money report's rows)."""
    query = (
        select(ClaimPosting, Case.payer)
        .join(ClaimRecord, ClaimRecord.id == ClaimPosting.claim_id)
        .join(Case, Case.id == ClaimPosting.case_id)
        .options(selectinload(ClaimPosting.remittance))
        .where(
            ClaimRecord.clinic_id == clinic_id,
            ClaimRecord.submitted_on >= start,
            ClaimRecord.submitted_on <= end,
            ClaimPosting.reversal.is_(True),
        )
        .order_by(ClaimPosting.id)
    )
    return [(posting, payer or "") for posting, payer in session.execute(query)]


def following(session: Session, postings: list[ClaimPosting]) -> dict[int, ClaimPosting]:
    """For each reversal, the corrected payment posted after it to the same claim, if any."""
    ids = {p.claim_id for p in postings}
    if not ids:
        return {}
    query = select(ClaimPosting).where(
        ClaimPosting.claim_id.in_(ids), ClaimPosting.reversal.is_(False)
    )
    later = list(session.scalars(query.order_by(ClaimPosting.id)))
    found = {}
    for reversal in postings:
        after = [p for p in later if p.claim_id == reversal.claim_id and p.id > reversal.id]
        if after:
            found[reversal.id] = after[0]
    return found
