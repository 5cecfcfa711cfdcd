"""The packet's digest as the case page judges it equals the one the whole checklist gives,
every fact read by its own query, in every state a claim goes through.

The page reads the billing moves once (the order's reason, the proof of delivery and the first
submission come from them) and reads billing's reviews only when an item a person reviews is
on the checklist; the digest a packet records must not depend on that.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select

from dme_service.models import BillingEvent, Case, ChecklistReview
from dme_service.rules import readiness as rules
from dme_service.services import order_amendment, signing, wet_signing
from dme_service.services.billing import claim as billing
from dme_service.services.billing import readiness
from dme_service.services.clinic import clinic_time
from dme_service.services.document_freshness import _with_checklist, freshness
from dme_service.services.order_reason import AUTOMATIC_NOTE, order_reason
from dme_service.store.signed_content import case_content_sha256
from services.billing.ready_claims import DELIVERY, ready_claim
from services.case_steps import new_case
from services.claim_cases import stored_case
from services.test_wet_signing import png_bytes

PRIOR_UNIT = [{"hcpcs": "E0860", "date": "2023-05-01"}]  # same-or-similar: a person reviews it


def eager_checklist(session, case) -> list:
    """The checklist with each fact read by its own query, as before the moves were read
    once: billing's reviews, the newest proof of delivery and the first submission."""
    zone = readiness.clinic_zone(session, case.clinic_id)
    reviews = {}
    for entry in session.scalars(
        select(ChecklistReview)
        .where(
            ChecklistReview.case_id == case.id,
            ChecklistReview.content_sha256 == case_content_sha256(case),
        )
        .order_by(ChecklistReview.id.desc())
    ):
        reviews.setdefault(
            entry.item, f"Reviewed {clinic_time.human_date(entry.at, zone)}: {entry.note}"
        )
    deliveries = session.scalars(
        select(BillingEvent.delivery)
        .where(BillingEvent.case_id == case.id, BillingEvent.delivery.is_not(None))
        .order_by(BillingEvent.id.desc())
    )
    submitted = session.scalars(
        select(BillingEvent.at)
        .where(BillingEvent.case_id == case.id, BillingEvent.to_state == "submitted")
        .order_by(BillingEvent.id)
    ).first()
    facts = dataclasses.replace(
        readiness.facts(session, case),
        reviews={key: reviews[key] for key in rules.REVIEWABLE if key in reviews},
        delivery=next((d for d in deliveries if d), None),
        submitted_on=clinic_time.local_date(submitted, zone) if submitted else None,
    )
    return rules.checklist(facts)


def eager_reason(session, case) -> str | None:
    """The order's reason read by its own query."""
    note = session.scalars(
        select(BillingEvent.note)
        .where(BillingEvent.case_id == case.id, BillingEvent.to_state == "awaiting_signature")
        .order_by(BillingEvent.id.desc())
    ).first()
    note = (note or "").strip()
    if case.billing_state == "draft" or not note or note == AUTOMATIC_NOTE:
        return None
    return note


def reread(session, case_id: int) -> Case:
    session.expire_all()
    return session.get(Case, case_id)


def digests(session, case_id: int) -> tuple[str, str]:
    """(the page's packet digest, the whole checklist's), each in a unit of work of its own."""
    case = reread(session, case_id)
    page = freshness(session, case).packet_sha256
    source = freshness(session, case).source_sha256
    case = reread(session, case_id)
    return page, _with_checklist(source, eager_checklist(session, case))


def assert_same(session, case_id: int) -> str:
    page, whole = digests(session, case_id)
    assert page == whole
    case = reread(session, case_id)
    assert order_reason(session, case) == eager_reason(session, reread(session, case_id))
    return page


def move(session, case_id, to_state, user, **kwargs):
    version = reread(session, case_id).version
    billing.transition(session, case_id, to_state, user, expected_version=version, **kwargs)


def test_a_draft(db_session, billed):
    case = new_case(db_session, billed["clinician"])
    assert_same(db_session, case.id)


def test_unsigned_signed_reviewed_billed_paid_and_amended(db_session, billed):
    clinician, biller = billed["clinician"], billed["billing"]
    case = stored_case(db_session, clinician, billed["practitioner"], prior_devices=PRIOR_UNIT)
    seen = [assert_same(db_session, case.id)]
    version = reread(db_session, case.id).version
    signing.sign(db_session, case.id, billed["practitioner"], expected_version=version)
    seen.append(assert_same(db_session, case.id))
    billing.review(db_session, case.id, "same_or_similar", biller, note="Unit was stolen.")
    seen.append(assert_same(db_session, case.id))
    move(db_session, case.id, "ready_to_submit", biller, delivery=DELIVERY)
    seen.append(assert_same(db_session, case.id))
    move(db_session, case.id, "submitted", biller)
    seen.append(assert_same(db_session, case.id))
    move(db_session, case.id, "paid", biller)
    assert assert_same(db_session, case.id) == seen[-1]  # paid: nothing the cover prints
    version = reread(db_session, case.id).version
    reason = "The force was typed wrong on the order."
    order_amendment.amend(db_session, case.id, clinician, reason, expected_version=version)
    seen.append(assert_same(db_session, case.id))
    assert len(set(seen)) == len(seen)  # each step changed what the packet's cover prints


def test_a_review_is_read_only_when_an_item_needs_one(db_session, billed, monkeypatch):
    plain = stored_case(db_session, billed["clinician"], billed["practitioner"])
    asked = []
    monkeypatch.setattr(readiness, "reviews", lambda *args: asked.append(args) or {})
    assert freshness(db_session, reread(db_session, plain.id)).packet_sha256
    assert asked == []
    prior = stored_case(
        db_session, billed["clinician"], billed["practitioner"], prior_devices=PRIOR_UNIT
    )
    assert freshness(db_session, reread(db_session, prior.id)).packet_sha256
    assert len(asked) == 1


def test_signed_electronically_and_in_ink(db_session, billed):
    clinician, practitioner = billed["clinician"], billed["practitioner"]
    signed = stored_case(db_session, clinician, practitioner, prior_devices=PRIOR_UNIT)
    before = assert_same(db_session, signed.id)
    signing.sign(
        db_session,
        signed.id,
        practitioner,
        expected_version=reread(db_session, signed.id).version,
    )
    assert assert_same(db_session, signed.id) != before
    ink = stored_case(db_session, clinician, practitioner)
    before = assert_same(db_session, ink.id)
    wet_signing.upload(
        db_session,
        clinician,
        ink.id,
        expected_version=reread(db_session, ink.id).version,
        content=png_bytes(),
    )
    assert assert_same(db_session, ink.id) != before


@pytest.mark.parametrize("state", ["ready_to_submit", "submitted"])
def test_a_claim_sent_with_its_proof_of_delivery(db_session, billed, state):
    case = ready_claim(db_session, billed, service_date=date(2026, 11, 20))
    if state == "submitted":
        move(db_session, case.id, "submitted", billed["billing"])
    assert_same(db_session, case.id)
