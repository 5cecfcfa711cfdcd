"""The readiness checklist of a claim: what must be true before submission and before "paid".

Each item says in words whether it is met and, when not, what to do. The billing queue shows
the unmet ones per case, `billing.transition` refuses "ready to submit" (and every
resubmission) until the submission items are met and "paid" until proof of delivery is
recorded. Sources: 42 CFR 410.38(d)
(SWO), PIM 100-08 ch. 5 §5.2-5.10 (record, supplier file, delivery), A52476 (GA/ABN),
domain.md §3.6 (same-or-similar) and §11.3 (Excludes1).

This module assembles the checklist and owns proof of delivery and the route to signature;
the lines about the signed order are `services.order_checks`, those about the record behind
it `services.record_checks`, and the line itself `services.readiness_item`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dme_service.models import BillingEvent, Case
from dme_service.rules.claim import CHOSEN_STATUSES, ROUTED_STATUSES
from dme_service.services.billing.order_checks import (
    clinic_zone,
    order_date_item,
    signature_item,
    swo_item,
)
from dme_service.services.billing.readiness_item import ReadinessItem
from dme_service.services.billing.record_checks import (
    abn_item,
    excludes1_item,
    frequency_item,
    same_or_similar_item,
    trial_note_item,
)
from dme_service.services.clinic import clinic_time
from dme_service.store.cases import CaseIncomplete, parsed_and_decided
from dme_service.store.signed_content import check_signature

REVIEWABLE = {
    "same_or_similar": "Same-or-similar history reviewed",
    "excludes1": "Excludes1 diagnosis pair reviewed",
}


def checklist(session: Session, case: Case, *, today: date | None = None) -> list[ReadinessItem]:
    """Every item, in the order a biller works through them; `today` defaults to the
    clinic's calendar day."""
    zone = clinic_zone(session, case.clinic_id)
    today = today or clinic_time.today(zone)
    check = check_signature(session, case)
    try:
        parsed, decision = parsed_and_decided(case)
    except CaseIncomplete as incomplete:
        parsed = decision = None
        unknown = f"The case is not complete enough to sign: {incomplete.first}"
    facts_items = (
        [
            trial_note_item(parsed),
            frequency_item(parsed),
            same_or_similar_item(session, case, parsed),
            abn_item(case, decision),
            excludes1_item(session, case, decision),
        ]
        if parsed is not None
        else [
            ReadinessItem(key, label, False, unknown)
            for key, label in (("case", "Case complete enough to bill"),)
        ]
    )
    return [
        swo_item(case, check),
        signature_item(check, zone),
        order_date_item(session, case, check, today, zone),
        *facts_items,
        delivery_item(session, case),
    ]


def _day(iso: str) -> str:
    """2026-11-20 -> Nov 20, 2026 (a stored delivery date that does not parse shows as is)."""
    try:
        return clinic_time.human_date(date.fromisoformat(iso))
    except ValueError:
        return iso


def delivery_item(session: Session, case: Case) -> ReadinessItem:
    """PIM §5.10: proof of delivery (date, method, who received it) before "paid"."""
    label = "Proof of delivery recorded"
    delivery = recorded_delivery(session, case.id)
    if delivery is None:
        return ReadinessItem(
            "delivery",
            label,
            False,
            "Record the delivery date, method and who received the unit before recording payment.",
            "payment",
        )
    return ReadinessItem(
        "delivery",
        label,
        True,
        f"Delivered {_day(delivery['date'])}, received by {delivery['received_by']}.",
        "payment",
    )


def recorded_delivery(session: Session, case_id: int) -> dict | None:
    """The newest proof of delivery recorded with any billing move of the case."""
    query = (
        select(BillingEvent.delivery)
        .where(BillingEvent.case_id == case_id, BillingEvent.delivery.is_not(None))
        .order_by(BillingEvent.id.desc())
    )
    for delivery in session.scalars(query):
        if delivery:
            return delivery
    return None


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
