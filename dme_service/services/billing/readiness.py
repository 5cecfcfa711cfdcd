"""The facts of a stored claim that its readiness checklist reads, and the route to signature.

The checklist itself is `rules.readiness` (pure, the one list the packet cover prints too);
this module gathers its facts from the rows: the order's elements, the signature check, the
clinic's calendar day, the parsed case and its decision, billing's reviews of the case as it
stands, the first submission and the proof of delivery. The billing queue shows the unmet
items per case, and `billing.transition` refuses "ready to submit" (and every resubmission)
until the submission items are met and "paid" until proof of delivery is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.documents.swo import REQUIRED_DOSE
from dme_service.models import Case, ChecklistReview, Clinic
from dme_service.rules import readiness
from dme_service.rules.claim import CHOSEN_STATUSES, ROUTED_STATUSES
from dme_service.rules.readiness import (
    REVIEWABLE,
    OrderElements,
    ReadinessFacts,
    ReadinessItem,
    SignedOrder,
)
from dme_service.services.clinic import clinic_time
from dme_service.services.clinic.clinic_time import human_datetime, local_date
from dme_service.store import billing_events
from dme_service.store.cases import CaseIncomplete, parsed_and_decided
from dme_service.store.signed_content import SignatureCheck, case_content_sha256, check_signature

__all__ = [
    "REVIEWABLE",
    "checklist",
    "facts",
    "prescription_saved",
    "recorded_delivery",
    "signature_route_problems",
]


def checklist(session: Session, case: Case, *, today: date | None = None) -> list[ReadinessItem]:
    """Every item, in the order a biller works through them; `today` defaults to the
    clinic's calendar day."""
    return readiness.checklist(facts(session, case, today=today))


def facts(session: Session, case: Case, *, today: date | None = None) -> ReadinessFacts:
    """What the checklist reads of the stored claim."""
    zone = clinic_zone(session, case.clinic_id)
    try:
        parsed, decision = parsed_and_decided(case)
        incomplete = None
    except CaseIncomplete as error:
        parsed = decision = None
        incomplete = error.first
    return ReadinessFacts(
        elements=order_elements(case),
        signed=signed_order(check_signature(session, case), zone),
        today=today or clinic_time.today(zone),
        case=parsed,
        decision=decision,
        incomplete=incomplete,
        reviews=ReviewsWhenAsked(session, case),
        delivery=recorded_delivery(session, case.id),
        submitted_on=first_submission(session, case.id, zone),
        day_words=clinic_time.human_date,
    )


def order_elements(case: Case) -> OrderElements:
    rx, patient, signer = case.home_prescription, case.patient, case.treating_practitioner
    return OrderElements(
        beneficiary=bool(patient.name or patient.member_id),
        hcpcs=rx.hcpcs if rx is not None else None,
        practitioner_name=signer.name if signer is not None else None,
        practitioner_npi=signer.npi if signer is not None else None,
    )


def signed_order(check: SignatureCheck, zone: str | None) -> SignedOrder:
    """The signature check in the checklist's words, its times in the clinic's zone."""
    if not check.valid:
        return SignedOrder(valid=False, problem=check.problem)
    signature = check.signature
    return SignedOrder(
        valid=True,
        signer=signature.signer.name,
        credential=signature.credential,
        npi=signature.npi,
        signed_on=local_date(signature.signed_at, zone),
        signed_at_words=human_datetime(signature.signed_at, zone),
    )


def clinic_zone(session: Session, clinic_id: int) -> str | None:
    """The IANA zone of the clinic: its days are the days of orders, submissions and today
    (the signed-in user's clinic is already in the session: no query then)."""
    clinic = session.get(Clinic, clinic_id)
    return clinic.timezone if clinic is not None else None


class ReviewsWhenAsked(Mapping):
    """Billing's reviews (`reviews`), read the first time the checklist looks one up.

    Only an item a person must review (a prior unit within 5 years, an Excludes1 pair) looks;
    a case with neither prints the same checklist without the read. The checklist reads its
    facts at once, inside the caller's unit of work, so the rows read are the same ones.
    """

    def __init__(self, session: Session, case: Case) -> None:
        self._read = lambda: reviews(session, case)
        self._found: dict[str, str] | None = None

    def _reviews(self) -> dict[str, str]:
        if self._found is None:
            self._found = self._read()
        return self._found

    def __getitem__(self, key: str) -> str:
        return self._reviews()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._reviews())

    def __len__(self) -> int:
        return len(self._reviews())


def reviews(session: Session, case: Case) -> dict[str, str]:
    """Billing's latest review of each reviewable item, while the case says what it said
    (one read for every item)."""
    query = (
        select(ChecklistReview)
        .where(
            ChecklistReview.case_id == case.id,
            ChecklistReview.item.in_(list(REVIEWABLE)),
            ChecklistReview.content_sha256 == case_content_sha256(case),
        )
        .order_by(ChecklistReview.id.desc())
    )
    found = {}
    for entry in session.scalars(query):
        found.setdefault(entry.item, f"Reviewed {entry.at:%Y-%m-%d}: {entry.note}")
    return {key: found[key] for key in REVIEWABLE if key in found}


def first_submission(session: Session, case_id: int, zone: str | None) -> date | None:
    first = billing_events.first_move_to(session, case_id, "submitted")
    return local_date(first, zone) if first else None


def recorded_delivery(session: Session, case_id: int) -> dict | None:
    """The newest proof of delivery recorded with any billing move of the case."""
    return billing_events.latest_delivery(session, case_id)


def signature_route_problems(case: Case, *, chosen: bool = False) -> list[ReadinessItem]:
    """Why the case cannot go to its practitioner for signature (empty when it can).

    Eligible cases go by themselves; not-eligible and not-covered ones only when a person
    chooses to send them and says why (`chosen`); incomplete and contraindicated never.
    """
    problems = []
    allowed = ROUTED_STATUSES + (CHOSEN_STATUSES if chosen else ())
    if case.status not in allowed:
        if case.status in CHOSEN_STATUSES:
            detail = "The decision is not eligible: send it only with a reason (e.g. ABN)."
        else:
            detail = f"The decision is {case.status.replace('_', ' ')}; complete the case first."
        problems.append(ReadinessItem("decision", "Coverage decision", False, detail))
    if not prescription_saved(case):
        problems.append(
            ReadinessItem(
                "prescription",
                "Home prescription",
                False,
                "Save the home prescription: nothing is ordered until it is saved.",
            )
        )
    signer = case.treating_practitioner
    if signer is None or not signer.may_sign or not signer.active:
        problems.append(
            ReadinessItem(
                "practitioner",
                "Treating practitioner who may sign",
                False,
                "Name a treating practitioner (MD, DO, DPM, PA, NP or CNS with an NPI).",
            )
        )
    return problems


def prescription_saved(case: Case) -> bool:
    """True when the home prescription was saved with the dose the order cannot leave out
    (documents/swo.py REQUIRED_DOSE): a suggested prescription orders nothing, and the order
    could not be signed without its force, minutes and sessions a day."""
    rx = case.home_prescription
    return rx is not None and all(getattr(rx, name) for name in REQUIRED_DOSE)
