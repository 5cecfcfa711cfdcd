"""The same patient again in one clinic: what the other cases are, which delivered units a
case carries as prior devices, and removing a carried one with a reason.

A unit the clinic delivered to the patient (proof of delivery recorded with a billing move)
within the same-or-similar window is carried into a new case's `prior_devices` when the case is
created, so the decision warns `SAME_OR_SIMILAR` (docs/case-format.md, clarification 8).
Where a carried device came from is kept beside the case document (CarriedPriorDevice): the
contract's prior device has a code and a date only. A carried device leaves the case only with
a written reason, audited, and is never carried again from the same earlier case.

A delivery recorded on an earlier case after a later case began is carried into the later open
cases by billing's move itself (services.billing.delivered_units). One recorded before that
was done shows on the later case's page and claim page as delivered and not among its prior
devices, and "Carry it" adds it the same way as at creation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from dme_service import audit
from dme_service.case import patient_match
from dme_service.db import printable, run_with_retry
from dme_service.models import CarriedPriorDevice, Case, Clinic, User, utcnow
from dme_service.rules.claim import FINISHED_STATES
from dme_service.services import after_save
from dme_service.services.cases.decide import decide
from dme_service.services.clinic.clinic_time import local_date
from dme_service.services.errors import Refusal, StaleCase
from dme_service.store import same_patient as rows
from dme_service.store.cases import load_case

REASON_MAX = 1000


class ReasonNeeded(Refusal):
    """A carried prior device is removed only with a reason; `field` names the form field."""

    status = 422
    field = "reason"


class NothingToCarry(Refusal):
    """The earlier case has no delivery within the window that this case does not carry."""

    status = 409


@dataclass(frozen=True)
class OtherCase:
    """Another case of the same patient in the clinic, as the warnings name it."""

    case_id: int
    started: date
    status: str
    billing_state: str
    hcpcs: str | None
    delivered_on: date | None

    @property
    def open(self) -> bool:
        """A claim not paid or closed: a second claim for a similar unit would duplicate it."""
        return self.billing_state not in FINISHED_STATES


@dataclass(frozen=True)
class Carried:
    """A prior device carried from an earlier case, with who removed it and why, if removed."""

    id: int
    hcpcs: str
    delivered_on: date
    source_case_id: int
    removed_at: datetime | None
    removed_by: str | None
    removed_reason: str | None


@dataclass(frozen=True)
class SamePatient:
    """What the case page and the claim page say about the patient's other cases."""

    others: tuple[OtherCase, ...] = ()
    carried: tuple[Carried, ...] = ()
    # Delivered within the window but not carried (recorded after this case began).
    uncarried: tuple[OtherCase, ...] = ()
    # Open cases of the patient for the same or a similar unit: a duplicate claim.
    duplicates: tuple[OtherCase, ...] = ()

    @property
    def kept(self) -> tuple[Carried, ...]:
        return tuple(c for c in self.carried if c.removed_at is None)

    @property
    def removed(self) -> tuple[Carried, ...]:
        return tuple(c for c in self.carried if c.removed_at is not None)

    def warning(self) -> str | None:
        """One sentence for the API and the command line, or None for a first case."""
        if not self.others:
            return None
        listed = ", ".join(f"case {other.case_id}" for other in self.others)
        words = [
            f"This patient already has {len(self.others)} other case"
            f"{'s' if len(self.others) > 1 else ''} in your clinic (same member id and date of "
            f"birth): {listed}."
        ]
        for carried in self.kept:
            words.append(
                f"{carried.hcpcs} delivered by this clinic on {carried.delivered_on.isoformat()} "
                f"(case {carried.source_case_id}) is a prior device of this case."
            )
        for other in self.duplicates:
            stands = "was paid" if other.billing_state == "paid" else "is still open"
            words.append(
                f"Case {other.case_id} for {other.hcpcs or 'a traction unit'} {stands}: "
                "a second claim would be a duplicate."
            )
        return " ".join(words)

    def as_json(self) -> dict:
        """The same facts for the JSON API and the command line."""
        return {
            "warning": self.warning(),
            "other_cases": [
                {
                    "id": other.case_id,
                    "hcpcs": other.hcpcs,
                    "status": other.status,
                    "billing_state": other.billing_state,
                    "delivered_on": _iso(other.delivered_on),
                }
                for other in self.others
            ],
            "carried_prior_devices": [
                {
                    "hcpcs": carried.hcpcs,
                    "date": carried.delivered_on.isoformat(),
                    "source_case_id": carried.source_case_id,
                }
                for carried in self.kept
            ],
            "duplicate_claims": [other.case_id for other in self.duplicates],
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


# --- reading ------------------------------------------------------------------------------


def other_cases(session: Session, case: Case) -> list[OtherCase]:
    """The clinic's other cases of this patient (same member id and date of birth), oldest
    first, each with its requested unit and its delivery date if one was recorded."""
    return _described(session, case.clinic_id, rows.other_cases(session, case))


def cases_of_patient(session: Session, user: User, member_id: str, born: date) -> list[OtherCase]:
    """The new-case form's look-up: the clinic's cases of the patient with this member id
    and date of birth, before a case exists; the read is audited and committed."""
    ids = rows.same_patient_ids(session, user.clinic_id, member_id, born)
    found = _described(session, user.clinic_id, rows.cases_of(session, user.clinic_id, ids))
    audit.record(
        session,
        user=user,
        action="case.same_patient.lookup",
        object_type="case_list",
        object_id=None,
    )
    session.commit()
    return found


def _described(session: Session, clinic_id: int, found: list[Case]) -> list[OtherCase]:
    delivered = rows.delivered_on(session, [other.id for other in found])
    clinic = session.get(Clinic, clinic_id)
    zone = clinic.timezone if clinic else None
    return [
        OtherCase(
            case_id=other.id,
            started=local_date(other.created_at, zone),
            status=other.status,
            billing_state=other.billing_state,
            hcpcs=other.home_prescription.hcpcs if other.home_prescription else None,
            delivered_on=delivered.get(other.id),
        )
        for other in found
    ]


def overview(session: Session, case: Case) -> SamePatient:
    """The patient's other cases, the carried prior devices, deliveries not carried, and open
    cases for a similar unit; reads only (the caller's read is audited)."""
    others = other_cases(session, case)
    carried = [_carried(session, row) for row in rows.carried_into(session, case.id)]
    sources = {c.source_case_id for c in carried}
    within = {unit.case_id for unit in _window(others, _today(session, case))}
    uncarried = [o for o in others if o.case_id in within and o.case_id not in sources]
    duplicate_ids = {other.id for other in rows.open_duplicates(session, case)}
    duplicates = [o for o in others if o.case_id in duplicate_ids]
    return SamePatient(tuple(others), tuple(carried), tuple(uncarried), tuple(duplicates))


def _carried(session: Session, row: CarriedPriorDevice) -> Carried:
    remover = session.get(User, row.removed_by_id) if row.removed_by_id else None
    return Carried(
        id=row.id,
        hcpcs=row.hcpcs,
        delivered_on=row.delivered_on,
        source_case_id=row.source_case_id,
        removed_at=row.removed_at,
        removed_by=remover.name if remover else None,
        removed_reason=row.removed_reason,
    )


def typed_prior_devices(session: Session, case_id: int, entries: list[dict]) -> list[dict]:
    """The case's prior devices without the carried ones: what the order form edits."""
    return patient_match.without_priors(entries, rows.kept_entries(session, case_id))


# --- carrying -----------------------------------------------------------------------------


def carry_delivered_units(session: Session, user: User, case: Case) -> list[CarriedPriorDevice]:
    """Carry into the new case every unit the clinic delivered to the patient within the
    window, in the caller's transaction (the caller decides and commits); audited."""
    others = other_cases(session, case)
    already = {row.source_case_id for row in rows.carried_into(session, case.id)}
    units = [u for u in _window(others, _today(session, case)) if u.case_id not in already]
    return _carry(session, user, case, units)


def carry_later_delivery(
    session: Session, user: User, case_id: int, source_case_id: int, version: int
) -> Case:
    """Carry a unit delivered on an earlier case after this case began; commits.

    Raises CaseNotFound, StaleCase, or NothingToCarry (no such delivery within the window, or
    it was carried or removed already).
    """
    return run_with_retry(
        session, lambda s: _carry_later(s, user, case_id, source_case_id, version)
    )


def _carry_later(session, user, case_id, source_case_id, version) -> Case:
    case = load_case(session, user, case_id, for_update=True)
    if case.version != version:
        raise StaleCase(case)
    already = {row.source_case_id for row in rows.carried_into(session, case.id)}
    units = [
        u
        for u in _window(other_cases(session, case), _today(session, case))
        if u.case_id == source_case_id and u.case_id not in already
    ]
    if not units:
        raise NothingToCarry(
            f"Case {source_case_id} has no delivery within 5 years that this case does not "
            "already carry."
        )
    _carry(session, user, case, units)
    _changed(session, user, case)
    return case


def _carry(session: Session, user: User, case: Case, units) -> list[CarriedPriorDevice]:
    return rows.carry(session, user, case, units)


def _window(others: list[OtherCase], today: date) -> list[patient_match.DeliveredUnit]:
    units = [
        patient_match.DeliveredUnit(other.hcpcs, other.delivered_on, other.case_id)
        for other in others
        if other.delivered_on is not None and other.hcpcs
    ]
    return patient_match.prior_devices_from(units, today)


# --- removing -----------------------------------------------------------------------------


def remove_carried(
    session: Session, user: User, case_id: int, carried_id: int, version: int, reason: str
) -> Case:
    """Take a carried prior device off the case with a written reason; audited, re-decided,
    committed. Raises ReasonNeeded (no reason), CaseNotFound, StaleCase or Refusal."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReasonNeeded(
            "Say why this unit is not a prior device of this patient (for example: delivered "
            "to another patient by mistake, returned unused)."
        )
    if len(reason) > REASON_MAX or not printable(reason):
        raise ReasonNeeded(f"Keep the reason under {REASON_MAX} characters of plain text.")
    return run_with_retry(session, lambda s: _remove(s, user, case_id, carried_id, version, reason))


def _remove(session, user, case_id, carried_id, version, reason) -> Case:
    case = load_case(session, user, case_id, for_update=True)
    if case.version != version:
        raise StaleCase(case)
    row = session.get(CarriedPriorDevice, carried_id)
    if row is None or row.case_id != case.id:
        raise Refusal("That prior device is not carried into this case.")
    if row.removed_at is not None:
        return case  # removed already (a double click)
    row.removed_at = utcnow()
    row.removed_by_id = user.id
    row.removed_reason = reason
    entry = {"hcpcs": row.hcpcs, "date": row.delivered_on.isoformat()}
    case.prior_devices = patient_match.without_priors(case.prior_devices or [], [entry])
    audit.case_event(session, user, "case.prior_device.remove", case)
    _changed(session, user, case)
    return case


def _changed(session: Session, user: User, case: Case) -> None:
    """A prior device changed: the case moves on a version, is decided again, and the
    after-save step voids what it must."""
    case.updated_by_id = user.id
    case.updated_at = utcnow()
    session.flush()
    decide(session, case)
    after_save.case_changed(session, case, user)


def _zone(session: Session, case: Case) -> str | None:
    clinic = session.get(Clinic, case.clinic_id)
    return clinic.timezone if clinic else None


def _today(session: Session, case: Case) -> date:
    return local_date(utcnow(), _zone(session, case))
