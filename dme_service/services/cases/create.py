"""Creating a case: a draft for a patient and payer, once per idempotency key (DB-4).

The new-case form carries a random key; a repeat of the same request (double click, back
button, retry) returns the case it created, and the same key with other entries is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.case import parse as case_format
from dme_service.db import run_with_retry
from dme_service.models import Case, IdempotencyKey, Patient, User, utcnow
from dme_service.services.cases import same_patient
from dme_service.services.cases.decide import validate
from dme_service.store import case_versions
from dme_service.store import same_patient as same_patient_rows
from dme_service.store.cases import load_case


class IdempotencyConflict(ValueError):
    """The idempotency key was already used for a different request (DB-4: 422)."""


class SamePatientNotConfirmed(ValueError):
    """The patient already has cases in the clinic and nobody said to create another one."""


@dataclass(frozen=True)
class NewCase:
    """What the new-case form collects: the patient and the payer. `same_patient_confirmed`
    is False when a person must first say that a patient who already has cases in the clinic
    gets another one (the new-case form asks; a reloaded form asks again)."""

    patient: dict[str, Any]
    payer: str
    idempotency_key: str
    same_patient_confirmed: bool = True

    def request_hash(self) -> str:
        payload = {"patient": self.patient, "payer": self.payer}
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


def create_case(session: Session, user: User, new: NewCase) -> Case:
    """Create a draft case for a patient and payer, once per idempotency key (DB-4).

    The same key with the same request returns the case it created; with a different request
    it raises IdempotencyConflict. Validation is the parser's (patient and payer paths).
    """
    try:
        return run_with_retry(session, lambda s: _create(s, user, new))
    except IntegrityError:
        # Two requests with one key at once (PostgreSQL lets both start): the loser's
        # insert of the key fails; the winner's case is the answer.
        session.rollback()
        earlier = _case_for_key(session, user, new)
        session.commit()
        if earlier is None:
            raise
        return earlier


def _create(session: Session, user: User, new: NewCase) -> Case:
    earlier = _case_for_key(session, user, new)
    if earlier is not None:
        return earlier
    document = {"format": case_format.FORMAT, "patient": new.patient, "payer": new.payer}
    validate(document)
    if not new.same_patient_confirmed and _has_cases(session, user.clinic_id, new.patient):
        raise SamePatientNotConfirmed("the patient already has cases in this clinic")
    patient = patient_for(session, user.clinic_id, new.patient)
    case = _draft(user, patient, new.payer)
    session.add(case)
    session.flush()
    # A unit the clinic already delivered to this patient is a prior device from the start.
    same_patient.carry_delivered_units(session, user, case)
    session.add(
        IdempotencyKey(
            user_id=user.id,
            key=new.idempotency_key,
            request_hash=new.request_hash(),
            object_type="case",
            object_id=case.id,
        )
    )
    audit.case_event(session, user, "case.create", case)
    # The case as created is its first kept document: an edit conflict on the first save
    # compares with it (services.cases.since_opened).
    case_versions.record(session, case, user)
    return case


def _draft(user: User, patient: Patient, payer: str) -> Case:
    """A new draft case of the patient, authored by the user."""
    return new_draft(
        user,
        patient,
        payer=payer,
        also_requested=[],
        prior_devices=[],
        # A practitioner who records a case is usually the one who signs its order.
        treating_practitioner_id=user.id if user.may_sign else None,
    )


def new_draft(user: User, patient: Patient, **columns) -> Case:
    """A draft case row of the patient, in the user's clinic, authored and saved by the user
    now; `columns` are the rest of the case (the caller adds and flushes it)."""
    now = utcnow()
    return Case(
        clinic_id=user.clinic_id,
        patient=patient,
        status="draft",
        author_id=user.id,
        created_by_id=user.id,
        updated_by_id=user.id,
        created_at=now,
        updated_at=now,
        **columns,
    )


def _has_cases(session: Session, clinic_id: int, fields: dict[str, Any]) -> bool:
    """Whether the clinic has a case of this patient (same member id and date of birth)."""
    born = date.fromisoformat(fields["date_of_birth"])
    ids = same_patient_rows.same_patient_ids(session, clinic_id, fields["member_id"], born)
    return bool(same_patient_rows.cases_of(session, clinic_id, ids))


def _case_for_key(session: Session, user: User, new: NewCase) -> Case | None:
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.user_id == user.id, IdempotencyKey.key == new.idempotency_key
        )
    )
    if row is None:
        return None
    if row.request_hash != new.request_hash() or row.object_type != "case":
        raise IdempotencyConflict("this form was already sent with different entries")
    return load_case(session, user, row.object_id)


def patient_for(session: Session, clinic_id: int, fields: dict[str, Any]) -> Patient:
    """The clinic's patient with exactly this name, date of birth and member id, or a new one."""
    born = date.fromisoformat(fields["date_of_birth"])
    query = select(Patient).where(
        Patient.clinic_id == clinic_id,
        Patient.name == fields["name"].strip(),
        Patient.date_of_birth == born,
        Patient.member_id == fields["member_id"].strip(),
    )
    patient = session.scalars(query.order_by(Patient.id)).first()
    if patient is None:
        patient = Patient(
            clinic_id=clinic_id,
            name=fields["name"].strip(),
            date_of_birth=born,
            member_id=fields["member_id"].strip(),
            weight_lb=fields.get("weight_lb"),
        )
        session.add(patient)
        session.flush()
    return patient
