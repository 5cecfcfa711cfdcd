"""Storing decisions: a case's status follows the rules engine's latest decision."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from dme_service.models import Case, DecisionRecord


def record_decision(session: Session, case: Case, decision) -> DecisionRecord:
    """Set the case's status from decision and keep the decision for the version it judged.

    Runs in the caller's transaction (the caller commits). The flush first applies the status
    change, so `case.version` is the version the stored decision belongs to.
    """
    case.status = decision.status
    session.add(case)
    session.flush()
    record = DecisionRecord(
        case_id=case.id,
        case_version=case.version,
        status=decision.status,
        decision_json=decision.as_json(),
    )
    session.add(record)
    session.flush()
    return record


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_LATEST = (
    select(DecisionRecord.decision_json)
    .where(DecisionRecord.case_id == bindparam("case_id"))
    .order_by(DecisionRecord.id.desc())
    .limit(1)
)


def latest_decision_json(session: Session, case_id: int) -> dict | None:
    """The case's latest stored decision (dme-decision/1 JSON), or None before any."""
    return session.scalar(_LATEST, {"case_id": case_id})
