"""Matching by hand: the biller attaches a payment the 835 import could not match to a claim.

The import keeps each unmatched claim payment whole on its RemittanceFile (remittance.py); here
the biller names the claim and the payment is posted with the same posting the automatic match
uses (remittance._post_claim: paid, partly paid or denied with group, CARC, RARC and amounts),
in one transaction with its audit row. A payment is posted once: the entry remembers the claim
it went to and a second post is refused in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dme_service import audit
from dme_service.claims.remittance import DENIED, Adjustment, ClaimPayment, LinePayment
from dme_service.models import Case, ClaimRecord, RemittanceFile, User
from dme_service.services.billing import claim as billing
from dme_service.services.billing import remittance
from dme_service.services.billing.input import FieldProblem
from dme_service.store.cases import CaseNotFound


@dataclass(frozen=True)
class OpenClaim:
    """A claim a payment can be posted to, as the biller chooses it."""

    case_id: int
    words: str  # "DME12 · member 1EG4TE5MK73 · 2026-11-20 · E0860 · billed $150.00"


def open_claims(session: Session, clinic_id: int) -> list[OpenClaim]:
    """The clinic's claims waiting for the payer's answer (submitted, resubmitted, appealed)."""
    query = (
        select(ClaimRecord)
        .join(Case, Case.id == ClaimRecord.case_id)
        .options(selectinload(ClaimRecord.case))
        .where(ClaimRecord.clinic_id == clinic_id, Case.billing_state.in_(remittance.MOVABLE))
        .order_by(ClaimRecord.service_date, ClaimRecord.id)
    )
    return [OpenClaim(r.case_id, _claim_words(r)) for r in session.scalars(query)]


def _claim_words(record: ClaimRecord) -> str:
    case = record.case
    rx = case.home_prescription
    billed = f"${record.billed:.2f}" if record.billed is not None else "not billed yet"
    day = record.service_date.isoformat() if record.service_date else "no date of service"
    return (
        f"Case {case.id}: {record.control_number} · member {case.patient.member_id or 'none'} · "
        f"{day} · {rx.hcpcs if rx else 'no HCPCS'} · billed {billed}"
    )


def post_to_claim(
    session: Session, user: User, remittance_id: int, entry: int, case_id: int | None
) -> str:
    """Post unmatched payment `entry` of the import to the claim of `case_id`; commits.

    Returns what was posted, in words. NotPermitted for anyone outside billing; InvalidInput
    (field "case") when no claim is chosen, the claim is not an open claim of the clinic, or
    the payment was already posted; CaseNotFound (404) when the import is not the clinic's.
    """
    if user.role not in billing.CLAIM_TEAM:
        raise billing.NotPermitted("Only billing staff post payments to claims.")
    row = session.scalar(
        select(RemittanceFile)
        .where(RemittanceFile.id == remittance_id, RemittanceFile.clinic_id == user.clinic_id)
        .with_for_update()
    )
    if row is None or not 0 <= entry < len(row.unmatched or []):
        raise CaseNotFound(case_id or 0)
    kept = row.unmatched[entry]
    if kept.get("posted_to"):
        raise _refused(f"This payment was already posted to Case {kept['posted_to']}.")
    if case_id is None:
        raise _refused("Choose the claim this payment answers.")
    record = _open_claim(session, user.clinic_id, case_id)
    try:
        return _post(session, user, row, entry, record)
    except Exception:
        session.rollback()
        raise


def _refused(message: str) -> billing.InvalidInput:
    return billing.InvalidInput([FieldProblem("case", message)])


def _open_claim(session: Session, clinic_id: int, case_id: int) -> ClaimRecord:
    record = session.scalar(
        select(ClaimRecord)
        .join(Case, Case.id == ClaimRecord.case_id)
        .where(
            ClaimRecord.case_id == case_id,
            ClaimRecord.clinic_id == clinic_id,
            Case.clinic_id == clinic_id,
            Case.billing_state.in_(remittance.MOVABLE),
        )
    )
    if record is None:
        raise _refused(
            "Choose one of the clinic's claims waiting for the payer (submitted, resubmitted "
            "or appealed)."
        )
    return record


def _post(session: Session, user: User, row: RemittanceFile, entry: int, record) -> str:
    kept = row.unmatched[entry]
    payment = payment_from(kept)
    case = remittance._cases(session, [record.case_id])[record.case_id]
    delivered = remittance._delivered(session, [case.id])
    result = remittance.ImportResult(row)
    move = remittance._post_claim(record, case, payment, row.payment_date, row, result, delivered)
    remittance.record_posting(session, user, record, payment, row)
    billing.record_moves(session, user, [move] if move is not None else [])
    # A new list and dict: SQLAlchemy sees a JSON column change only on assignment.
    unmatched = [dict(item) for item in row.unmatched]
    unmatched[entry]["posted_to"] = case.id
    row.unmatched = unmatched
    row.posted_case_ids = [*(row.posted_case_ids or []), case.id]
    audit.case_event(session, user, "billing.remittance.match", case)
    session.commit()
    return " ".join(result.posted + result.notes)


def payment_from(kept: dict) -> ClaimPayment:
    """The claim payment back from the facts the import kept (remittance.payment_facts).

    Imports made before the whole payment was kept hold only the summary: its line
    adjustments, charge and paid amount are posted, the status read from its words."""
    facts = kept.get("payment")
    if facts is None:
        return _from_summary(kept)
    return ClaimPayment(
        control_number=kept.get("control_number", ""),
        status=facts["status"],
        charge=Decimal(facts["charge"]),
        paid=Decimal(facts["paid"]),
        patient_responsibility=Decimal(facts["patient_responsibility"]),
        payer_icn=kept.get("icn") or "",
        member_id=kept.get("member_id") or "",
        patient_last="",
        patient_first="",
        lines=tuple(_line(line) for line in facts["lines"]),
        adjustments=_adjustments(facts["adjustments"]),
    )


def _line(facts: dict) -> LinePayment:
    return LinePayment(
        hcpcs=facts["hcpcs"],
        modifiers=tuple(facts["modifiers"]),
        charge=Decimal(facts["charge"]),
        paid=Decimal(facts["paid"]),
        units=facts["units"],
        service_date=date.fromisoformat(facts["service_date"]) if facts["service_date"] else None,
        allowed=None if facts["allowed"] is None else Decimal(facts["allowed"]),
        adjustments=_adjustments(facts["adjustments"]),
        remarks=tuple(facts["remarks"]),
    )


def _adjustments(items) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a["group"], a["reason"], Decimal(a["amount"])) for a in items)


def _from_summary(kept: dict) -> ClaimPayment:
    day = kept.get("service_date")
    line = LinePayment(
        hcpcs=kept.get("hcpcs", ""),
        modifiers=(),
        charge=Decimal(kept["charge"]),
        paid=Decimal(kept["paid"]),
        service_date=date.fromisoformat(day) if day else None,
        adjustments=_adjustments(kept.get("adjustments", [])),
    )
    return ClaimPayment(
        control_number=kept.get("control_number", ""),
        status=DENIED if kept.get("status") == "denied" else "1",
        charge=line.charge,
        paid=line.paid,
        patient_responsibility=line.patient_responsibility,
        payer_icn=kept.get("icn") or "",
        member_id=kept.get("member_id") or "",
        patient_last="",
        patient_first="",
        lines=(line,),
    )
