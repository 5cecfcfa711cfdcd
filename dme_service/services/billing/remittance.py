"""835 import: post each claim payment to its claim, list the ones no claim matches.

One transaction: a file that cannot be read whole (claims.x835 refuses it) posts nothing, and
an error while posting rolls everything back. The same file again (same SHA-256 for the clinic)
changes nothing. Matching: the patient control number we sent (CLP01 = CLM01), then member id
+ date of service + HCPCS. Unmatched payments are stored whole on the import for manual
matching, never dropped. A Medicare reopening that waits for the DME MAC is answered by the
835 that posts to its claim (services/billing/reopening.py). A reversal (CLP02 = 22) takes
back an earlier payment: its negative amounts are added to the claim's, and every claim payment
is kept as posted (models.ClaimPosting), so the take-back and the corrected payment that follows
stay on the claim's history (docs/domain.md 1.1).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dme_service import audit
from dme_service.claims import x835
from dme_service.claims.remittance import ClaimPayment, LinePayment
from dme_service.models import (
    BillingEvent,
    Case,
    ClaimPosting,
    ClaimRecord,
    RemittanceFile,
    User,
)
from dme_service.rules.claim import STATE_WORDS
from dme_service.services.billing import claim as billing
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import reopening

MOVABLE = ("submitted", "resubmitted", "appealed")
ZERO = Decimal("0.00")


@dataclass
class ImportResult:
    remittance: RemittanceFile
    already_imported: bool = False
    posted: list[str] = field(default_factory=list)  # "Case 12: paid 80.00 (ICN ...)"
    unmatched: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def import_835(session: Session, user: User, content: bytes) -> ImportResult:
    """Post the remittance in `content` for the user's clinic; RemittanceRefused if unreadable."""
    if user.role not in billing.CLAIM_TEAM:
        raise billing.NotPermitted("Only billing staff import remittances.")
    digest = hashlib.sha256(content).hexdigest()
    earlier = session.scalar(
        select(RemittanceFile).where(
            RemittanceFile.clinic_id == user.clinic_id, RemittanceFile.sha256 == digest
        )
    )
    if earlier is not None:
        return ImportResult(earlier, already_imported=True)
    clinic = user.clinic  # the payee is the clinic: its NPI and EIN are on its profile
    payee = x835.Payee(npi=clinic.org_npi or "", tax_id=claim_money.digits_of(clinic.tax_id))
    remittance = x835.parse(content, payee)  # RemittanceRefused: nothing read, nothing posted
    try:
        return _post(session, user, remittance, digest)
    except Exception:
        session.rollback()
        raise


def _post(session: Session, user: User, remittance, digest: str) -> ImportResult:
    row = RemittanceFile(
        clinic_id=user.clinic_id,
        sha256=digest,
        trace_number=remittance.trace_number[:50],
        payer_name=remittance.payer.name[:60],
        payment_date=remittance.payment_date,
        total_paid=remittance.total_paid,
        posted_case_ids=[],
        unmatched=[],
        imported_by_id=user.id,
    )
    session.add(row)
    session.flush()
    result = ImportResult(row)
    matched = _Matcher(session, user.clinic_id, remittance.claims).matches()
    cases = _cases(session, [record.case_id for record, _ in matched])
    delivered = _delivered(session, list(cases))
    moves, unmatched = [], []
    matched_payments = {id(payment) for _, payment in matched}
    for payment in remittance.claims:
        if id(payment) not in matched_payments:
            unmatched.append(_unmatched(payment))
            result.unmatched.append(_describe(payment))
    for record, payment in matched:
        case = cases[record.case_id]
        move = _post_claim(record, case, payment, remittance.payment_date, row, result, delivered)
        record_posting(session, user, record, payment, row)
        if move is not None:
            moves.append(move)
        source = f"835 {row.trace_number} of {remittance.payment_date}"
        if reopening.settle(session, case, source, remittance.payment_date, user):
            result.notes.append(f"Case {case.id}: the DME MAC's reopening is answered by this 835.")
    billing.record_moves(session, user, moves)
    row.posted_case_ids = list(dict.fromkeys(record.case_id for record, _ in matched))
    row.unmatched = unmatched
    audit.record(
        session,
        user=user,
        action="billing.remittance.import",
        object_type="remittance",
        object_id=row.id,
    )
    session.commit()
    return result


def _cases(session: Session, case_ids: list[int]) -> dict[int, Case]:
    """The matched cases, locked for the posting (PostgreSQL; SQLite holds the write lock)."""
    query = select(Case).where(Case.id.in_(case_ids)).with_for_update()
    return {case.id: case for case in session.scalars(query)}


def _delivered(session: Session, case_ids: list[int]) -> set[int]:
    """The cases with a proof of delivery on file (needed before "paid", PIM §5.10).

    A billing move without a delivery stores JSON null, which SQL's IS NOT NULL counts as a
    value, so each row's delivery is read as readiness.recorded_delivery reads it."""
    query = select(BillingEvent.case_id, BillingEvent.delivery).where(
        BillingEvent.case_id.in_(case_ids), BillingEvent.delivery.is_not(None)
    )
    return {case_id for case_id, delivery in session.execute(query) if delivery}


class _Matcher:
    """Finds each payment's claim: by control number, else member id + date of service + HCPCS.
    A claim is matched at most once per file, and once more by a reversal (CLP02 = 22) of its
    earlier payment: the reversal and the corrected payment usually come in the same 835."""

    def __init__(self, session: Session, clinic_id: int, payments) -> None:
        self.session = session
        self.clinic_id = clinic_id
        self.payments = payments

    def matches(self) -> list[tuple[ClaimRecord, ClaimPayment]]:
        numbers = [p.control_number for p in self.payments]
        by_number = {
            r.control_number: r
            for r in self.session.scalars(
                select(ClaimRecord).where(
                    ClaimRecord.clinic_id == self.clinic_id,
                    ClaimRecord.control_number.in_(numbers),
                )
            )
        }
        found, used = [], set()
        for payment in self.payments:
            record = by_number.get(payment.control_number) or self._by_member(payment)
            key = (record.id if record is not None else None, payment.reversal)
            if record is not None and key not in used:
                used.add(key)
                found.append((record, payment))
        # A take-back is posted before the payment that corrects it, whatever their order in
        # the file (X12 RFI 791 recommends the reversal first; RFI 227 allows either).
        return sorted(found, key=lambda pair: not pair[1].reversal)

    def _by_member(self, payment: ClaimPayment) -> ClaimRecord | None:
        if not payment.lines or not payment.member_id:
            return None
        line = payment.lines[0]
        candidates = self.session.scalars(
            select(ClaimRecord)
            .options(selectinload(ClaimRecord.case))
            .where(
                ClaimRecord.clinic_id == self.clinic_id,
                ClaimRecord.service_date == line.service_date,
            )
        ).all()
        wanted = _member(payment.member_id)
        for record in candidates:
            case = record.case
            rx = case.home_prescription
            if (
                _member(case.patient.member_id) == wanted
                and rx is not None
                and rx.hcpcs == line.hcpcs
            ):
                return record
        return None


def _member(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def _post_claim(record, case, payment: ClaimPayment, paid_on, row, result, delivered):
    """Write the payment's money on the claim; the move it makes (or None), with a note why not."""
    if payment.reversal:
        _take_back(record, case, payment, paid_on, row, result)
        return None
    lines = payment.lines
    adjustments = [a for line in lines for a in line.adjustments] + list(payment.adjustments)
    record.billed = payment.charge
    record.paid = payment.paid
    record.allowed = _allowed(lines, payment)
    record.contractual = sum((a.amount for a in adjustments if a.group == "CO"), ZERO)
    record.patient_responsibility = payment.patient_responsibility or sum(
        (a.amount for a in adjustments if a.group == "PR"), ZERO
    )
    record.adjustments = [
        {"group": a.group, "reason": a.reason, "amount": str(a.amount)} for a in adjustments
    ]
    record.remarks = sorted({code for line in lines for code in line.remarks})
    record.icn = payment.payer_icn or record.icn
    record.remitted_on = paid_on
    record.remittance_id = row.id
    outcome = "denied" if payment.denied else "paid"
    words = f"denied ({_codes(adjustments)})" if outcome == "denied" else f"paid {payment.paid}"
    result.posted.append(f"Case {case.id}: {words}, ICN {payment.payer_icn or 'none'}.")
    if case.billing_state not in MOVABLE:
        state = STATE_WORDS.get(case.billing_state, case.billing_state)
        result.notes.append(f"Case {case.id}: amounts posted; the claim stays {state}.")
        return None
    if outcome == "paid" and case.id not in delivered:
        result.notes.append(
            f"Case {case.id}: amounts posted; record proof of delivery, then mark it paid."
        )
        return None
    carcs = [a.reason for a in adjustments if outcome == "denied" and a.group != "PR"]
    note = f"835 {row.trace_number} of {paid_on}: {words}."
    return (case, outcome, list(dict.fromkeys(carcs)), record.remarks, note)


def _take_back(record, case, payment: ClaimPayment, paid_on, row, result) -> None:
    """A reversal of the payer's earlier payment: every amount comes negated, so the claim's
    amounts become the sum (nothing, for a whole reversal) until the corrected payment is
    posted over them; no move (the corrected payment moves the claim, or the claim keeps its
    state and billing follows up)."""
    adjustments = [a for line in payment.lines for a in line.adjustments] + list(
        payment.adjustments
    )

    def plus(current, change):
        return (current or ZERO) + change

    record.paid = plus(record.paid, payment.paid)
    record.allowed = plus(record.allowed, _allowed(payment.lines, payment))
    record.contractual = plus(
        record.contractual, sum((a.amount for a in adjustments if a.group == "CO"), ZERO)
    )
    record.patient_responsibility = plus(
        record.patient_responsibility,
        payment.patient_responsibility
        or sum((a.amount for a in adjustments if a.group == "PR"), ZERO),
    )
    record.adjustments, record.remarks = [], []  # nothing adjudicated stands until corrected
    record.icn = record.icn or payment.payer_icn
    record.remitted_on = paid_on
    record.remittance_id = row.id
    result.posted.append(
        f"Case {case.id}: payment taken back ({payment.paid}, reversal of ICN "
        f"{payment.payer_icn or 'none'})."
    )
    state = STATE_WORDS.get(case.billing_state, case.billing_state)
    result.notes.append(
        f"Case {case.id}: the payer reversed its earlier payment; the claim stays {state} "
        "until the corrected payment is posted."
    )


def record_posting(session: Session, user: User, record, payment: ClaimPayment, row) -> None:
    """Keep the claim payment as posted (the claim's payment history), in the caller's
    transaction; a reversal's amounts stay negative, as the 835 gave them."""
    adjustments = [a for line in payment.lines for a in line.adjustments] + list(
        payment.adjustments
    )
    session.add(
        ClaimPosting(
            case_id=record.case_id,
            claim_id=record.id,
            remittance_id=row.id,
            status=payment.status[:4],
            reversal=payment.reversal,
            charge=payment.charge,
            paid=payment.paid,
            allowed=_allowed(payment.lines, payment),
            contractual=sum((a.amount for a in adjustments if a.group == "CO"), ZERO),
            patient_responsibility=payment.patient_responsibility
            or sum((a.amount for a in adjustments if a.group == "PR"), ZERO),
            adjustments=_adjustment_facts(adjustments),
            remarks=sorted({code for line in payment.lines for code in line.remarks}),
            icn=payment.payer_icn or None,
            paid_on=row.payment_date,
            posted_by_id=user.id,
        )
    )


def _allowed(lines: tuple[LinePayment, ...], payment: ClaimPayment) -> Decimal:
    """The payer's allowed amount: AMT*B6 when given, else the charge less contractual (CO)."""
    if lines and all(line.allowed is not None for line in lines):
        return sum((line.allowed for line in lines), ZERO)
    co = sum((a.amount for line in lines for a in line.adjustments if a.group == "CO"), ZERO)
    return payment.charge - co


def _codes(adjustments) -> str:
    return ", ".join(f"{a.group}-{a.reason}" for a in adjustments) or "no code"


def _unmatched(payment: ClaimPayment) -> dict:
    line = payment.lines[0] if payment.lines else None
    return {
        "control_number": payment.control_number,
        "patient": f"{payment.patient_first} {payment.patient_last}".strip(),
        "member_id": payment.member_id,
        "hcpcs": line.hcpcs if line else "",
        "service_date": line.service_date.isoformat() if line and line.service_date else "",
        "charge": str(payment.charge),
        "paid": str(payment.paid),
        "status": payment.status_words,
        "icn": payment.payer_icn,
        "adjustments": [
            {"group": a.group, "reason": a.reason, "amount": str(a.amount)}
            for ln in payment.lines
            for a in ln.adjustments
        ],
        "payment": payment_facts(payment),  # whole, so a biller's match posts it as the 835 said
    }


def _adjustment_facts(adjustments) -> list[dict]:
    return [{"group": a.group, "reason": a.reason, "amount": str(a.amount)} for a in adjustments]


def payment_facts(payment: ClaimPayment) -> dict:
    """The claim payment as JSON facts (services/billing/manual_match.py reads them back)."""
    return {
        "status": payment.status,
        "charge": str(payment.charge),
        "paid": str(payment.paid),
        "patient_responsibility": str(payment.patient_responsibility),
        "adjustments": _adjustment_facts(payment.adjustments),
        "lines": [
            {
                "hcpcs": line.hcpcs,
                "modifiers": list(line.modifiers),
                "charge": str(line.charge),
                "paid": str(line.paid),
                "units": line.units,
                "service_date": line.service_date.isoformat() if line.service_date else None,
                "allowed": None if line.allowed is None else str(line.allowed),
                "adjustments": _adjustment_facts(line.adjustments),
                "remarks": list(line.remarks),
            }
            for line in payment.lines
        ],
    }


def _describe(payment: ClaimPayment) -> str:
    u = _unmatched(payment)
    return (
        f"{u['control_number']} {u['patient']} (member {u['member_id']}, {u['hcpcs']} "
        f"on {u['service_date'] or 'no date'}): {u['status']}, paid {u['paid']}, ICN {u['icn']}"
    )


def remittances(session: Session, clinic_id: int, limit: int = 50) -> list[RemittanceFile]:
    query = select(RemittanceFile).where(RemittanceFile.clinic_id == clinic_id)
    return list(session.scalars(query.order_by(RemittanceFile.id.desc()).limit(limit)))
