"""The denial report: denials recorded in a date range, by CARC and by payer. Read only; the
read is audited."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.coding import carc
from dme_service.models import BillingEvent, Case, User
from dme_service.services.clinic import clinic_time


@dataclass(frozen=True)
class DenialReport:
    start: date
    end: date
    total: int
    by_reason: list[tuple[str, str, int]]  # (CARC, meaning, denials)
    by_payer: list[tuple[str, int]]


def denial_report(session: Session, user: User, start: date, end: date) -> DenialReport:
    """Denials recorded from `start` to `end` (inclusive, the clinic's calendar days), by CARC
    and by payer."""
    there = clinic_time.zone(user.clinic.timezone)
    since = datetime.combine(start, time.min, tzinfo=there)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=there)
    query = (
        select(BillingEvent.carc_codes, Case.payer)
        .join(Case, Case.id == BillingEvent.case_id)
        .where(
            Case.clinic_id == user.clinic_id,
            BillingEvent.to_state == "denied",
            BillingEvent.at >= since,
            BillingEvent.at < until,
        )
    )
    reasons, payers, total = Counter(), Counter(), 0
    for codes, payer in session.execute(query):
        total += 1
        payers[payer or "unknown"] += 1
        reasons.update(codes or ["(none)"])
    by_reason = [
        (code, _meaning(code), count)
        for code, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    by_payer = sorted(payers.items(), key=lambda kv: (-kv[1], kv[0]))
    audit.record(
        session, user=user, action="billing.denials.read", object_type="report", object_id=None
    )
    session.commit()
    return DenialReport(start, end, total, by_reason, by_payer)


def _meaning(code: str) -> str:
    entry = carc.lookup("carc", code)
    return entry.meaning if entry else "Not in the code table"
