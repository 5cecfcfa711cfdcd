"""The clinic's fee table: what the clinic charges for a HCPCS bought (NU) or rented (RR),
in force from a date. The charge on a claim is the fee in force on the date of service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.claims import facts as f
from dme_service.models import FeeScheduleEntry, User
from dme_service.services.billing.input import FieldProblem

PURCHASE_OR_RENTAL = {"NU": "Purchase (NU)", "RR": "Rental (RR)"}


def fee(session: Session, clinic_id: int, hcpcs: str, kind: str, on: date) -> Decimal | None:
    """The clinic's charge for `hcpcs` bought (NU) or rented (RR) on `on`, or None."""
    query = (
        select(FeeScheduleEntry.amount)
        .where(
            FeeScheduleEntry.clinic_id == clinic_id,
            FeeScheduleEntry.hcpcs == hcpcs,
            FeeScheduleEntry.purchase_or_rental == kind,
            FeeScheduleEntry.effective_from <= on,
        )
        .order_by(FeeScheduleEntry.effective_from.desc(), FeeScheduleEntry.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def fee_table(session: Session, clinic_id: int) -> list[FeeScheduleEntry]:
    query = select(FeeScheduleEntry).where(FeeScheduleEntry.clinic_id == clinic_id)
    order = (FeeScheduleEntry.hcpcs, FeeScheduleEntry.purchase_or_rental)
    return list(session.scalars(query.order_by(*order, FeeScheduleEntry.effective_from.desc())))


def fee_problems(hcpcs: str, purchase_or_rental: str, amount: str, effective_from: str):
    """(cleaned values, problems) for a fee table row typed by a person."""
    problems, cleaned = [], {}
    hcpcs = (hcpcs or "").strip().upper()
    if not (len(hcpcs) == 5 and hcpcs[0].isalpha() and hcpcs[1:].isdigit()):
        problems.append(FieldProblem("hcpcs", "Give a HCPCS code such as E0860."))
    kind = purchase_or_rental
    if kind not in PURCHASE_OR_RENTAL:
        problems.append(FieldProblem("purchase_or_rental", "Choose NU (purchase) or RR (rental)."))
    try:
        money = Decimal(str(amount).strip().lstrip("$").replace(",", ""))
        if money <= 0 or money != money.quantize(f.CENT) or money >= 100000:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        problems.append(
            FieldProblem("amount", "Give the charge in dollars and cents, e.g. 150.00.")
        )
        money = None
    try:
        when = date.fromisoformat(str(effective_from).strip())
    except ValueError:
        problems.append(
            FieldProblem("effective_from", "Give the first day it applies (YYYY-MM-DD).")
        )
        when = None
    cleaned = {"hcpcs": hcpcs, "purchase_or_rental": kind, "amount": money, "effective_from": when}
    return cleaned, problems


def add_fee(session: Session, user: User, **typed) -> FeeScheduleEntry:
    """Add a fee table row (a change of price is a new row from its date); commits."""
    from dme_service.services.billing.claim import CLAIM_TEAM, InvalidInput, NotPermitted

    if user.role not in CLAIM_TEAM:
        raise NotPermitted("Only billing staff change the fee table.")
    cleaned, problems = fee_problems(**typed)
    if problems:
        raise InvalidInput(problems)
    entry = FeeScheduleEntry(clinic_id=user.clinic_id, created_by_id=user.id, **cleaned)
    session.add(entry)
    session.flush()
    audit.record(
        session, user=user, action="billing.fee.add", object_type="fee", object_id=entry.id
    )
    session.commit()
    return entry
