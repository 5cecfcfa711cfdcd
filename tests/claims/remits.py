"""An 835 built from claims as a payer answers them: paid, denied CO-50 + N115, partly paid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from dme_service.claims.facts import Claim
from dme_service.claims.remittance import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    Party,
    Remittance,
)

PAYEE = Party("Harbor Spine & Physical Therapy", "XX", "1234567893")
PAYER = Party("Medicare DME MAC Jurisdiction A")


def paid(claim: Claim, icn: str, allowed=D("100.00")) -> ClaimPayment:
    """Allowed amount paid at 80 %; the rest of the allowed is coinsurance (PR-2)."""
    line = claim.lines[0]
    coinsurance = (allowed * D("0.20")).quantize(D("0.01"))
    payment = allowed - coinsurance
    adjustments = (
        Adjustment("CO", "45", line.charge - allowed),
        Adjustment("PR", "2", coinsurance),
    )
    return _answer(claim, icn, "1", payment, coinsurance, adjustments, allowed=allowed)


def denied(claim: Claim, icn: str) -> ClaimPayment:
    """Not medically necessary: CO-50 with remark N115 (the LCD)."""
    line = claim.lines[0]
    return _answer(
        claim,
        icn,
        "4",
        D("0.00"),
        D("0.00"),
        (Adjustment("CO", "50", line.charge),),
        remarks=("N115",),
        allowed=D("0.00"),
    )


def deductible(claim: Claim, icn: str, allowed=D("100.00"), deductible=D("60.00")) -> ClaimPayment:
    """Partly paid: part of the allowed amount goes to the deductible (PR-1)."""
    line = claim.lines[0]
    payment = allowed - deductible
    adjustments = (Adjustment("CO", "45", line.charge - allowed), Adjustment("PR", "1", deductible))
    return _answer(claim, icn, "1", payment, deductible, adjustments, allowed=allowed)


def _answer(claim, icn, status, payment, patient, adjustments, remarks=(), allowed=None):
    line = claim.lines[0]
    sub = claim.subscriber
    return ClaimPayment(
        control_number=claim.control_number,
        status=status,
        charge=claim.total_charge,
        paid=payment,
        patient_responsibility=patient,
        payer_icn=icn,
        member_id=sub.member_id.replace("-", ""),
        patient_last=sub.last_name,
        patient_first=sub.first_name,
        lines=(
            LinePayment(
                line.hcpcs,
                line.modifiers,
                line.charge,
                payment,
                line.units,
                line.service_date,
                allowed,
                adjustments,
                remarks,
            ),
        ),
    )


def remittance(*answers: ClaimPayment, payee: Party = PAYEE, trace="EFT0001") -> Remittance:
    return Remittance(
        payer=PAYER,
        payee=payee,
        trace_number=trace,
        payment_date=date(2026, 12, 20),
        total_paid=sum((a.paid for a in answers), D("0.00")),
        # A reversal and its corrected payment can net to nothing: a notification, no money.
        method="ACH" if sum((a.paid for a in answers), D("0.00")) else "NON",
        claims=answers,
        control_number="77",
    )


def reversal(original: ClaimPayment) -> ClaimPayment:
    """The payer takes back `original`: CLP02 = 22 with every charge, payment and adjustment
    amount negated (X12 RFI 1733), at the same level of detail, under the original ICN."""

    def negated(adjustments):
        return tuple(Adjustment(a.group, a.reason, -a.amount) for a in adjustments)

    return replace(
        original,
        status="22",
        charge=-original.charge,
        paid=-original.paid,
        patient_responsibility=-original.patient_responsibility,
        adjustments=negated(original.adjustments),
        lines=tuple(
            replace(
                line,
                charge=-line.charge,
                paid=-line.paid,
                allowed=None if line.allowed is None else -line.allowed,
                adjustments=negated(line.adjustments),
            )
            for line in original.lines
        ),
    )
