"""Reading the same patient's other cases in a clinic, their deliveries and the prior devices
carried from them (the rules of who is the same patient are case.patient_match's).

The look-up reads the clinic's patients born on the same day (index ix_patients_clinic_birth)
and compares member ids in Python, so "1eg4 te5 mk73" finds "1EG4TE5MK73" on every engine.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dme_service.case.patient_match import member_key
from dme_service.models import BillingEvent, CarriedPriorDevice, Case, Patient


def same_patient_ids(session: Session, clinic_id: int, member_id: str, born: date) -> list[int]:
    """The clinic's patient rows that are this patient (same member id and date of birth)."""
    key = member_key(member_id)
    if not key:
        return []
    rows = session.execute(
        select(Patient.id, Patient.member_id).where(
            Patient.clinic_id == clinic_id, Patient.date_of_birth == born
        )
    )
    return [patient_id for patient_id, other in rows if member_key(other) == key]


def other_cases(session: Session, case: Case) -> list[Case]:
    """The clinic's other cases of the case's patient, oldest first."""
    patient = case.patient
    ids = same_patient_ids(session, case.clinic_id, patient.member_id, patient.date_of_birth)
    if not ids:
        return []
    query = (
        select(Case)
        .where(Case.clinic_id == case.clinic_id, Case.patient_id.in_(ids), Case.id != case.id)
        .options(selectinload(Case.home_prescription))
        .order_by(Case.id)
    )
    return list(session.scalars(query))


def delivered_on(session: Session, case_ids: list[int]) -> dict[int, date]:
    """Each case's delivery date, from the newest proof of delivery billing recorded."""
    if not case_ids:
        return {}
    query = (
        select(BillingEvent.case_id, BillingEvent.delivery)
        .where(BillingEvent.case_id.in_(case_ids), BillingEvent.delivery.is_not(None))
        .order_by(BillingEvent.id)
    )
    found: dict[int, date] = {}
    for case_id, delivery in session.execute(query):
        if delivery and delivery.get("date"):
            found[case_id] = date.fromisoformat(delivery["date"])
    return found


def carried_into(session: Session, case_id: int) -> list[CarriedPriorDevice]:
    """The prior devices carried into the case (removed ones too), in the order carried."""
    query = select(CarriedPriorDevice).where(CarriedPriorDevice.case_id == case_id)
    return list(session.scalars(query.order_by(CarriedPriorDevice.id)))


def kept_entries(session: Session, case_id: int) -> list[dict[str, str]]:
    """The carried devices still on the case, as `prior_devices` entries (code and date)."""
    return [
        {"hcpcs": row.hcpcs, "date": row.delivered_on.isoformat()}
        for row in carried_into(session, case_id)
        if row.removed_at is None
    ]
