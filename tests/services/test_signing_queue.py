"""The practitioner's waiting orders: unit in words, requester, waiting time, oldest first,
and a mark on orders that come back after a voided signature."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from dme_service.models import BillingEvent, Case, utcnow
from dme_service.services import after_save, signing, signing_queue
from services.claim_cases import stored_case


@pytest.fixture
def people(make_user):
    return (
        make_user("clinician", credential="PT", name="Maria Alvarez"),
        make_user("practitioner", credential="MD", name="Daniel Okafor"),
    )


def test_orders_say_unit_requester_and_waiting_time_oldest_first(db_session, people):
    author, doctor = people
    newer = stored_case(db_session, author, doctor, patient_name="New Patient")
    older = stored_case(db_session, author, doctor, patient_name="Old Patient")
    db_session.execute(
        update(BillingEvent)
        .where(BillingEvent.case_id == older.id)
        .values(at=utcnow() - timedelta(days=2, hours=3))
    )
    db_session.commit()
    orders = signing_queue.waiting_orders(db_session, doctor)
    assert [order.case.id for order in orders] == [older.id, newer.id]
    first = orders[0]
    assert (first.hcpcs, first.device_words) == ("E0860", "Traction equipment, overdoor, cervical")
    assert first.requester == "Maria Alvarez"
    assert first.waiting == "waiting 2 days"
    assert orders[1].waiting == "waiting less than an hour"
    assert not first.resign


def test_an_order_back_after_a_voided_signature_is_marked(db_session, people):
    author, doctor = people
    case = stored_case(db_session, author, doctor)
    signing.sign(db_session, case.id, doctor, expected_version=case.version)
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    row.home_prescription.minutes = 20
    after_save.case_changed(db_session, row, author)
    db_session.commit()
    (order,) = signing_queue.waiting_orders(db_session, doctor)
    assert order.resign


@pytest.mark.parametrize(
    ("waited", "words"),
    [
        (timedelta(minutes=5), "waiting less than an hour"),
        (timedelta(hours=1), "waiting 1 hour"),
        (timedelta(hours=23), "waiting 23 hours"),
        (timedelta(days=1, hours=2), "waiting 1 day"),
        (timedelta(days=9), "waiting 9 days"),
    ],
)
def test_waiting_words(waited, words):
    assert signing_queue.waiting_words(waited) == words
