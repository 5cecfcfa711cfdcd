"""The money report: billed, paid and denied by month and payer, the top denial reasons and
the average days from submission to payment, over the claims submitted in a date range; and
the payers' take-backs (835 reversals) with the corrected payment that followed each.

A claim counts in the month it was submitted (the day the biller typed). Paid is what the
remittances paid, net of take-backs; denied is the billed amount of claims a remittance paid
nothing on. Read only; the read is audited.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.coding import carc
from dme_service.models import Case, ClaimRecord, User
from dme_service.rules.wording import PAYER_NAMES
from dme_service.store import claim_postings

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class MonthRow:
    month: str  # "2026-12"
    payer: str  # in words
    claims: int
    billed: Decimal
    paid: Decimal
    denied: Decimal
    taken_back: Decimal = ZERO  # the 835 reversals of these claims' payments (negative)


@dataclass(frozen=True)
class TakeBack:
    """A payer reversed a payment (CLP02 = 22), and what it paid again, if it has."""

    case_id: int
    payer: str  # in words
    paid_on: date
    trace: str  # the check or EFT of the 835 that took it back
    amount: Decimal  # negative
    icn: str | None
    corrected_paid: Decimal | None
    corrected_icn: str | None


@dataclass(frozen=True)
class DenialReason:
    code: str  # "CO-50"
    meaning: str
    claims: int
    amount: Decimal


@dataclass(frozen=True)
class MoneyReport:
    start: date
    end: date
    rows: list[MonthRow]
    billed: Decimal
    paid: Decimal
    denied: Decimal
    top_denials: list[DenialReason]
    average_days_to_payment: float | None
    paid_claims: int
    take_backs: list[TakeBack] = field(default_factory=list)

    @property
    def taken_back(self) -> Decimal:
        return sum((t.amount for t in self.take_backs), ZERO)


def money_report(session: Session, user: User, start: date, end: date) -> MoneyReport:
    query = (
        select(ClaimRecord, Case.payer)
        .join(Case, Case.id == ClaimRecord.case_id)
        .where(
            ClaimRecord.clinic_id == user.clinic_id,
            ClaimRecord.submitted_on >= start,
            ClaimRecord.submitted_on <= end,
        )
    )
    groups: dict[tuple[str, str], list] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
    reasons: Counter = Counter()
    reason_amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    days = []
    for record, payer in session.execute(query):
        key = (record.submitted_on.strftime("%Y-%m"), PAYER_NAMES.get(payer or "", payer or ""))
        group = groups[key]
        group[0] += 1
        group[1] += record.billed or ZERO
        group[2] += record.paid or ZERO
        if record.remitted_on and not record.paid:
            group[3] += record.billed or ZERO
            for adjustment in record.adjustments or []:
                if adjustment["group"] != "PR":
                    code = f"{adjustment['group']}-{adjustment['reason']}"
                    reasons[code] += 1
                    reason_amounts[code] += Decimal(adjustment["amount"])
        if record.remitted_on and record.paid:
            days.append((record.remitted_on - record.submitted_on).days)
    take_backs = _take_backs(session, user.clinic_id, start, end)
    taken: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for take_back, month in take_backs:
        taken[(month, take_back.payer)] += take_back.amount
    rows = [
        MonthRow(m, p, *values, taken_back=taken[(m, p)])
        for (m, p), values in sorted(groups.items())
    ]
    audit.record(
        session, user=user, action="billing.money.read", object_type="report", object_id=None
    )
    session.commit()
    return MoneyReport(
        start,
        end,
        rows,
        sum((r.billed for r in rows), ZERO),
        sum((r.paid for r in rows), ZERO),
        sum((r.denied for r in rows), ZERO),
        [
            DenialReason(code, _meaning(code), count, reason_amounts[code])
            for code, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
        round(sum(days) / len(days), 1) if days else None,
        len(days),
        [take_back for take_back, _month in take_backs],
    )


def _take_backs(session: Session, clinic_id: int, start: date, end: date):
    """(TakeBack, month the claim was submitted) for each reversal on the range's claims."""
    found = claim_postings.reversals(session, clinic_id, start, end)
    postings = [posting for posting, _payer in found]
    corrected = claim_postings.following(session, postings)
    months = {
        record.id: record.submitted_on.strftime("%Y-%m")
        for record in session.scalars(
            select(ClaimRecord).where(ClaimRecord.id.in_({p.claim_id for p in postings}))
        )
    }
    out = []
    for posting, payer in found:
        after = corrected.get(posting.id)
        take_back = TakeBack(
            posting.case_id,
            PAYER_NAMES.get(payer, payer),
            posting.paid_on,
            posting.remittance.trace_number if posting.remittance else "",
            posting.paid,
            posting.icn,
            after.paid if after else None,
            after.icn if after else None,
        )
        out.append((take_back, months[posting.claim_id]))
    return out


def _meaning(code: str) -> str:
    entry = carc.lookup("carc", code.split("-", 1)[1])
    return entry.meaning if entry else "Not in the code table"
