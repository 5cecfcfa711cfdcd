"""Amended orders: the rows that say a case's order was made again after its claim went to the
payer, which signature the original claim keeps, and whether the corrected claim has gone.

An amendment is pending from the moment it is made until the 837P carrying the corrected
claim is confirmed sent; while it is pending the claim's next file is a replacement claim.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from dme_service.models import ClaimFile, OrderAmendment, Signature
from dme_service.store import unit_memo

# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_OF_CASE = (
    select(OrderAmendment)
    .where(OrderAmendment.case_id == bindparam("case_id"))
    .order_by(OrderAmendment.id)
)


def of_case(session: Session, case_id: int) -> list[OrderAmendment]:
    """Every amendment of the case, oldest first; read once per unit of work (the case page
    shows the order's version in the signature banner and the latest amendment beside it:
    store/unit_memo.py)."""
    read = lambda: tuple(session.scalars(_OF_CASE, {"case_id": case_id}))  # noqa: E731
    return list(unit_memo.remembered(session, ("order_amendments", case_id), read))


def latest(session: Session, case_id: int) -> OrderAmendment | None:
    every = of_case(session, case_id)
    return every[-1] if every else None


def order_version(session: Session, case_id: int) -> int:
    """1 for an order never amended, then one more for each amendment."""
    return 1 + len(of_case(session, case_id))


def version_signed(session: Session, signature: Signature) -> int:
    """The order version a signature signed: the one its superseding amendment replaced, or
    else 1 plus the amendments made before it."""
    replaced = session.scalar(
        select(OrderAmendment.order_version).where(OrderAmendment.signature_id == signature.id)
    )
    if replaced is not None:
        return replaced - 1
    query = select(func.count(OrderAmendment.id)).where(
        OrderAmendment.case_id == signature.case_id,
        OrderAmendment.amended_at <= signature.signed_at,
    )
    return 1 + (session.scalar(query) or 0)


def pending(session: Session, case_ids) -> dict[int, OrderAmendment]:
    """The amendment whose corrected claim has not been sent yet, by case id."""
    ids = list(case_ids)
    if not ids:
        return {}
    query = select(OrderAmendment).where(
        OrderAmendment.case_id.in_(ids), OrderAmendment.corrected_sent_on.is_(None)
    )
    return {row.case_id: row for row in session.scalars(query.order_by(OrderAmendment.id))}


def mark_sent(session: Session, case_id: int, claim_file: ClaimFile, sent_on: date) -> None:
    """The corrected claim went in `claim_file` on `sent_on`: the amendment is answered."""
    row = pending(session, [case_id]).get(case_id)
    if row is not None:
        row.corrected_file_id = claim_file.id
        row.corrected_sent_on = sent_on


def corrected_in_file(session: Session, claim_file: ClaimFile) -> set[int]:
    """The cases whose claim in `claim_file` is a corrected claim: the amendments it answered
    (confirmed sent), or, while the file is not confirmed, those still pending."""
    query = select(OrderAmendment.case_id).where(OrderAmendment.corrected_file_id == claim_file.id)
    found = set(session.scalars(query))
    if claim_file.confirmed_at is None:
        found |= set(pending(session, claim_file.case_ids or []))
    return found
