"""Reading the same patient's other cases in a clinic, their deliveries and the prior devices
carried from them (the rules of who is the same patient are case.patient_match's).

The look-up reads the clinic's patients born on the same day (index ix_patients_clinic_birth)
and compares member ids in Python, so "1eg4 te5 mk73" finds "1EG4TE5MK73" on every engine.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from dme_service import audit
from dme_service.case.patient_match import (
    DeliveredUnit,
    member_key,
    prior_device,
    prior_devices_from,
    similar_units,
    with_priors,
)
from dme_service.models import BillingEvent, CarriedPriorDevice, Case, Patient, Signature
from dme_service.rules.claim import FINISHED_STATES, STATE_WORDS
from dme_service.store import unit_memo


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
    """The clinic's other cases of the case's patient, oldest first (read once per unit of
    work: the case page's card asks for its other cases and for the open duplicates)."""
    return list(
        unit_memo.remembered(session, ("other_cases", case.id), lambda: _others(session, case))
    )


# Built once: on the case page, building a statement costs about what SQLite takes to run it.
_BORN_THAT_DAY = (
    select(Case, Patient.member_id)
    .join(Patient, Patient.id == Case.patient_id)
    .where(
        Case.clinic_id == bindparam("clinic_id"),
        Patient.clinic_id == bindparam("clinic_id"),
        Patient.date_of_birth == bindparam("born"),
        Case.id != bindparam("case_id"),
    )
    .options(joinedload(Case.home_prescription))
    .order_by(Case.id)
)
_CARRIED = (
    select(CarriedPriorDevice)
    .where(CarriedPriorDevice.case_id == bindparam("case_id"))
    .order_by(CarriedPriorDevice.id)
)


def _others(session: Session, case: Case) -> tuple[Case, ...]:
    """As `cases_of(same_patient_ids(...))` without the case itself, in one query: the cases
    of the clinic's patients born that day, with their prescriptions, kept when the member
    id is the same."""
    patient = case.patient
    key = member_key(patient.member_id)
    if not key:
        return ()
    values = {"clinic_id": case.clinic_id, "born": patient.date_of_birth, "case_id": case.id}
    found = session.execute(_BORN_THAT_DAY, values)
    return tuple(other for other, member in found if member_key(member) == key)


def cases_of(session: Session, clinic_id: int, patient_ids: list[int]) -> list[Case]:
    """The clinic's cases of these patient rows, oldest first, with their prescriptions."""
    if not patient_ids:
        return []
    query = (
        select(Case)
        .where(Case.clinic_id == clinic_id, Case.patient_id.in_(patient_ids))
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
    """The prior devices carried into the case (removed ones too), in the order carried; read
    once per unit of work (the order form and the same-patient card both show them)."""
    read = lambda: tuple(session.scalars(_CARRIED, {"case_id": case_id}))  # noqa: E731
    return list(unit_memo.remembered(session, ("carried_into", case_id), read))


def carry(session: Session, user, case: Case, units: list[DeliveredUnit]) -> list:
    """Write delivered units into the case as carried prior devices, with their source, and
    add them to its `prior_devices`; audited, in the caller's transaction (the caller decides
    the case again)."""
    if not units:
        return []
    added = [
        CarriedPriorDevice(
            case_id=case.id,
            source_case_id=unit.case_id,
            hcpcs=unit.hcpcs,
            delivered_on=unit.date,
            carried_by_id=user.id,
        )
        for unit in units
    ]
    session.add_all(added)
    case.prior_devices = with_priors(
        case.prior_devices or [], [prior_device(unit) for unit in units]
    )
    session.flush()
    audit.case_event(session, user, "case.prior_device.carry", case)
    return added


def carried_since_signed(
    session: Session, signer_id: int, case_id: int | None = None
) -> list[CarriedPriorDevice]:
    """The carried prior devices still on open cases (claim not paid or closed) whose newest
    signature is this practitioner's and came before the unit was carried: what they signed
    did not know of it. Oldest carry first; of one case with `case_id`."""
    newest = (
        select(Signature.case_id, func.max(Signature.id).label("signature_id"))
        .group_by(Signature.case_id)
        .subquery()
    )
    query = (
        select(CarriedPriorDevice)
        .join(newest, newest.c.case_id == CarriedPriorDevice.case_id)
        .join(Signature, Signature.id == newest.c.signature_id)
        .join(Case, Case.id == CarriedPriorDevice.case_id)
        .where(
            Signature.signer_id == signer_id,
            CarriedPriorDevice.carried_at > Signature.signed_at,
            CarriedPriorDevice.removed_at.is_(None),
            Case.billing_state.not_in(FINISHED_STATES),
        )
        .order_by(CarriedPriorDevice.carried_at, CarriedPriorDevice.id)
    )
    if case_id is not None:
        query = query.where(CarriedPriorDevice.case_id == case_id)
    return list(session.scalars(query))


def kept_entries(session: Session, case_id: int) -> list[dict[str, str]]:
    """The carried devices still on the case, as `prior_devices` entries (code and date)."""
    return [
        {"hcpcs": row.hcpcs, "date": row.delivered_on.isoformat()}
        for row in carried_into(session, case_id)
        if row.removed_at is None
    ]


def requested_unit(case: Case) -> str:
    """The unit the case asks for (the contract's default when no prescription is saved)."""
    return case.home_prescription.hcpcs if case.home_prescription else "E0860"


def is_duplicate_claim(hcpcs: str, other: Case, delivered: bool) -> bool:
    """True when `other` is a claim for the same or a similar unit that is open (not paid or
    closed), or paid with no proof of delivery on file: payers pay one cervical traction unit
    per patient in 5 years (domain.md §3.6). A paid unit with its delivery recorded is a prior
    device of the patient instead (carried, or offered to carry), not named twice."""
    counts = other.billing_state not in FINISHED_STATES or (
        other.billing_state == "paid" and not delivered
    )
    return counts and similar_units(hcpcs, requested_unit(other))


def open_duplicates(session: Session, case: Case) -> list[Case]:
    """The patient's other claims for the same or a similar unit that a claim of this case
    would duplicate (none once this case's own claim is paid or closed: the other one warns,
    not this one)."""
    if case.billing_state in FINISHED_STATES:
        return []
    hcpcs = requested_unit(case)
    others = other_cases(session, case)
    delivered = delivered_on(session, [other.id for other in others])
    return [o for o in others if is_duplicate_claim(hcpcs, o, o.id in delivered)]


def uncarried_deliveries(session: Session, case: Case) -> list[DeliveredUnit]:
    """Units delivered on the patient's other cases that this case neither carries nor had
    removed with a reason (a delivery recorded after the case began)."""
    others = other_cases(session, case)
    delivered = delivered_on(session, [other.id for other in others])
    seen = {row.source_case_id for row in carried_into(session, case.id)}
    return [
        DeliveredUnit(requested_unit(other), delivered[other.id], other.id)
        for other in others
        if other.id in delivered and other.id not in seen
    ]


def claim_notes(session: Session, cases: list[Case], today: date) -> dict[int, list[str]]:
    """Billing's same-patient warnings for a list of one clinic's claims, in four reads:
    another open claim of the same patient for a similar unit (a duplicate claim), and a unit
    delivered to the patient on another case within 5 years of `today` that the case neither
    carries nor had removed with a reason. Cases without a warning are left out."""
    if not cases:
        return {}
    clinic_id = cases[0].clinic_id
    people: dict[tuple[str, date], set[int]] = defaultdict(set)
    births = {case.patient.date_of_birth for case in cases}
    for patient_id, member, born in session.execute(
        select(Patient.id, Patient.member_id, Patient.date_of_birth).where(
            Patient.clinic_id == clinic_id, Patient.date_of_birth.in_(births)
        )
    ):
        people[(member_key(member), born)].add(patient_id)
    patient_ids = set().union(*people.values()) if people else set()
    related = list(
        session.scalars(
            select(Case)
            .where(Case.clinic_id == clinic_id, Case.patient_id.in_(patient_ids))
            .options(selectinload(Case.home_prescription))
        )
    )
    delivered = delivered_on(session, [case.id for case in related])
    seen: dict[int, set[int]] = defaultdict(set)
    for case_id, source_id in session.execute(
        select(CarriedPriorDevice.case_id, CarriedPriorDevice.source_case_id).where(
            CarriedPriorDevice.case_id.in_([case.id for case in cases])
        )
    ):
        seen[case_id].add(source_id)
    notes = {}
    for case in cases:
        key = (member_key(case.patient.member_id), case.patient.date_of_birth)
        ids = people.get(key, set()) if key[0] else set()
        others = [o for o in related if o.patient_id in ids and o.id != case.id]
        found = _duplicate_notes(case, others, delivered) + _delivery_notes(
            others, delivered, seen[case.id], today
        )
        if found:
            notes[case.id] = found
    return notes


def _duplicate_notes(case: Case, others: list[Case], delivered: dict[int, date]) -> list[str]:
    if case.billing_state in FINISHED_STATES:
        return []
    hcpcs = requested_unit(case)
    return [
        f"Possible duplicate claim: case #{other.id} ({requested_unit(other)}) for the same "
        f"patient {duplicate_words(other.billing_state)}."
        for other in sorted(others, key=lambda o: o.id)
        if is_duplicate_claim(hcpcs, other, other.id in delivered)
    ]


def duplicate_words(billing_state: str) -> str:
    """How a duplicate's claim stands: "is also open (claim submitted)", or paid."""
    if billing_state == "paid":
        return "was paid (no proof of delivery on file, so it is not among the prior devices)"
    return f"is also open (claim {STATE_WORDS[billing_state]})"


def _delivery_notes(others, delivered, seen: set[int], today: date) -> list[str]:
    units = [
        DeliveredUnit(requested_unit(other), delivered[other.id], other.id)
        for other in others
        if other.id in delivered and other.id not in seen
    ]
    return [
        f"This clinic delivered {unit.hcpcs} to the same patient on {unit.date.isoformat()} "
        f"(case #{unit.case_id}); it is not among this case's prior devices "
        "(same-or-similar: ask the clinician to add it)."
        for unit in prior_devices_from(units, today)
    ]
