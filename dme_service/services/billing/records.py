"""The claim record of a case (ClaimRecord): made on first use, with the control number the
payer's 835 answers with. Apart from the money (services.billing.money), so the claim's state
machine can write the date of service without importing the fee table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import Case, ClaimRecord


def control_number(case_id: int) -> str:
    """CLM01, the patient control number the payer's 835 answers with: 'DME' + case number."""
    return f"DME{case_id}"


def _new_record(case: Case) -> ClaimRecord:
    """A claim record before anything was billed: purchased new (NU), no adjustments yet."""
    return ClaimRecord(
        case_id=case.id,
        clinic_id=case.clinic_id,
        control_number=control_number(case.id),
        purchase_or_rental="NU",
        adjustments=[],
        remarks=[],
    )


def claim_record(session: Session, case: Case) -> ClaimRecord:
    """The case's claim record, made on first use (in the caller's transaction)."""
    record = session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))
    if record is None:
        record = _new_record(case)
        session.add(record)
        session.flush()
    return record


def claim_records(session: Session, cases: list[Case]) -> dict[int, ClaimRecord]:
    """Each case's claim record by case id, made where missing (one read, one flush)."""
    ids = [case.id for case in cases]
    found = {
        r.case_id: r
        for r in session.scalars(select(ClaimRecord).where(ClaimRecord.case_id.in_(ids)))
    }
    for case in cases:
        if case.id not in found:
            found[case.id] = _new_record(case)
            session.add(found[case.id])
    session.flush()
    return found
