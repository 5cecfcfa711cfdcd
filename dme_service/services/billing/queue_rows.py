"""What the billing queue's rows carry beside the case: the claim's money, its next deadline
and days in its state, the same patient's other claims, an amended order's corrected claim,
and the order billing sorts them in. Each adds to a whole list in a few reads.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dme_service.claims import deadlines
from dme_service.models import BillingEvent, ClaimRecord
from dme_service.services import order_amendment
from dme_service.services.clinic import clinic_time
from dme_service.store import same_patient as same_patient_rows


def with_money(session: Session, rows: list, today: date, zone: str | None = None) -> list:
    """Each row with its claim record, next deadline and days in its state (three reads)."""
    ids = [row.case.id for row in rows]
    if not ids:
        return rows
    records = {
        r.case_id: r
        for r in session.scalars(select(ClaimRecord).where(ClaimRecord.case_id.in_(ids)))
    }
    entered = dict(
        session.execute(
            select(BillingEvent.case_id, func.max(BillingEvent.at))
            .where(BillingEvent.case_id.in_(ids))
            .group_by(BillingEvent.case_id)
        ).all()
    )
    delivered = {}  # the date of service before export: the delivery date, if recorded
    for case_id, delivery in session.execute(
        select(BillingEvent.case_id, BillingEvent.delivery)
        .where(BillingEvent.case_id.in_(ids), BillingEvent.delivery.is_not(None))
        .order_by(BillingEvent.id)
    ):
        if delivery:
            delivered[case_id] = date.fromisoformat(delivery["date"])
    out = []
    for row in rows:
        money = records.get(row.case.id)
        served = (money.service_date if money else None) or delivered.get(row.case.id)
        remitted = money.remitted_on if money else None
        due = deadlines.next_deadline(
            row.case.payer or "", row.case.billing_state, served, remitted
        )
        since = entered.get(row.case.id) or row.case.created_at
        days = (today - clinic_time.local_date(since, zone)).days if since else None
        out.append(replace(row, money=money, deadline=due, days_in_state=days))
    return out


def with_same_patient(session: Session, rows: list, today: date) -> list:
    """Each row with its same-patient warnings (four reads for the whole list)."""
    notes = same_patient_rows.claim_notes(session, [row.case for row in rows], today)
    return [replace(row, same_patient=tuple(notes.get(row.case.id, ()))) for row in rows]


def with_corrections(session: Session, rows: list) -> list:
    """Each row of an amended order billing still acts on or waits for, with its words: a
    corrected claim to send, or a Medicare reopening to ask for or waiting for the DME MAC."""
    found = order_amendment.open_by_case(session, [row.case for row in rows])
    return [
        replace(
            row,
            correction=found[row.case.id].claim_words,
            correction_headline=found[row.case.id].headline,
        )
        if row.case.id in found
        else row
        for row in rows
    ]


def sorted_rows(rows: list, sort: str, today: date) -> list:
    if sort == "deadline":  # nearest deadline first; claims without one after them
        return sorted(
            rows, key=lambda r: (r.deadline is None, r.deadline.due if r.deadline else today)
        )
    if sort == "age":
        return sorted(rows, key=lambda r: -(r.days_in_state or 0))
    return rows
