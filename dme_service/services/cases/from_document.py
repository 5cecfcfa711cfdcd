"""Creating a whole case from a dme-case/1 document (the JSON API's `POST /api/v1/cases`).

The document is parsed by the one parser; the patient is found (same name, date of birth and
member id) or created in the caller's clinic; the treating practitioner must be an active user
of that clinic with the document's NPI. The document is parsed and decided before the write
transaction opens (on SQLite it holds the database's write lock, so neither bad input nor the
rules may hold it); the case, that decision and its audit row are then written in one
transaction. An `Idempotency-Key` makes a retry return the case it created instead of a
second one, and the same key with another document is refused (docs/security.md DB-4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.case import parse as case_format
from dme_service.case.parse import CaseFormatError, FieldError
from dme_service.db import run_with_retry
from dme_service.models import Case, IdempotencyKey, User
from dme_service.rules.engine import evaluate
from dme_service.services import after_save
from dme_service.services.cases import same_patient
from dme_service.services.cases.create import IdempotencyConflict, new_draft, patient_for
from dme_service.services.cases.decide import CaseInvalid, decide, store_decision
from dme_service.store.cases import apply_parsed, load_case
from dme_service.store.signed_content import canonical_sha256

__all__ = [
    "CaseInvalid",
    "IdempotencyConflict",
    "Imported",
    "import_case",
    "practitioner_by_npi",
    "request_hash",
]


@dataclass(frozen=True)
class Imported:
    """The case and whether it was created by an earlier request with the same key."""

    case: Case
    replayed: bool


def request_hash(document: Any) -> str:
    """SHA-256 of the document as canonical JSON: what an idempotency key is bound to."""
    return canonical_sha256(document)


def import_case(
    session: Session, user: User, document: Any, idempotency_key: str | None = None
) -> Imported:
    """Create the case the document describes; commits, or raises and writes nothing.

    Raises CaseInvalid (the parser's field errors, or no such practitioner in the clinic)
    and IdempotencyConflict (the key was used for another document).
    """
    digest = request_hash(document)
    try:
        parsed = case_format.parse(document)
    except CaseFormatError as error:
        if idempotency_key is not None:  # a key used for another document says so first
            _earlier(session, user, idempotency_key, digest)
            session.rollback()  # a read only
        raise CaseInvalid(error.errors) from None
    decision = evaluate(parsed)
    try:
        return run_with_retry(
            session, lambda s: _import(s, user, parsed, decision, idempotency_key, digest)
        )
    except IntegrityError:
        # Two requests with one key raced; the other one committed first: answer with its case.
        session.rollback()
        if idempotency_key is None:
            raise
        earlier = _earlier(session, user, idempotency_key, digest)
        if earlier is None:
            raise
        return earlier


def _import(session: Session, user: User, parsed, decision, key: str | None, digest: str):
    if key is not None:
        earlier = _earlier(session, user, key, digest)
        if earlier is not None:
            return earlier
    practitioner = practitioner_by_npi(session, user, parsed.treating_practitioner.npi)
    case = _new_case(session, user, parsed, practitioner)
    # A unit the clinic already delivered to this patient is a prior device from the start;
    # then the case is no longer the document, and is decided again from its rows.
    if same_patient.carry_delivered_units(session, user, case):
        decide(session, case)
    else:
        store_decision(session, case, decision)
    after_save.case_changed(session, case, user)  # an eligible case goes to its practitioner
    if key is not None:
        session.add(
            IdempotencyKey(
                user_id=user.id,
                key=key,
                request_hash=digest,
                object_type="case",
                object_id=case.id,
            )
        )
    audit.case_event(session, user, "case.create", case)
    session.flush()
    return Imported(case, replayed=False)


def _earlier(session: Session, user: User, key: str, digest: str) -> Imported | None:
    row = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key)
    )
    if row is None:
        return None
    if row.request_hash != digest or row.object_type != "case":
        raise IdempotencyConflict("this Idempotency-Key was already used with another document")
    return Imported(load_case(session, user, row.object_id), replayed=True)


def practitioner_by_npi(session: Session, user: User, npi: str) -> User:
    """The active user of the caller's clinic with this NPI, else a field error."""
    found = session.scalars(
        select(User)
        .where(User.clinic_id == user.clinic_id, User.npi == npi, User.active.is_(True))
        .order_by(User.id)
    ).first()
    if found is None:
        message = (
            f"no active user of your clinic has NPI {npi}; the treating practitioner must have "
            "an account in the clinic (an administrator adds it with their NPI)"
        )
        raise CaseInvalid([FieldError("treating_practitioner.npi", message)])
    return found


def _new_case(session: Session, user: User, parsed, practitioner: User) -> Case:
    patient_fields = {
        "name": parsed.patient.name,
        "date_of_birth": parsed.patient.date_of_birth.isoformat(),
        "member_id": parsed.patient.member_id,
        "weight_lb": parsed.patient.weight_lb,
    }
    case = new_draft(user, patient_for(session, user.clinic_id, patient_fields))
    apply_parsed(case, parsed, recorded_by=user)
    case.treating_practitioner = practitioner
    session.add(case)
    session.flush()
    return case
