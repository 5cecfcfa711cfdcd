"""Matching by hand: an unmatched 835 payment posted to the claim the biller chooses (issue 17)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dme_service.claims import x835_build
from dme_service.models import AuditEvent, Case, ClaimRecord, Clinic, RemittanceFile
from dme_service.services.billing import claim as billing
from dme_service.services.billing import manual_match
from dme_service.services.billing import remittance as remittance_import
from services.billing.test_files import _submitted

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402


def _unmatched_import(session, people, facts, how=remits.paid):
    """An 835 whose one payment names a control number and member id we never sent."""
    stranger = replace(
        facts,
        control_number="ELSEWHERE9",
        subscriber=replace(facts.subscriber, member_id="9ZZ9ZZ9ZZ99"),
    )
    text = x835_build.build(
        remits.remittance(how(stranger, "ICN-X"), payee=replace(remits.PAYEE, id="1234567893"))
    )
    result = remittance_import.import_835(session, people["billing"], text.encode())
    assert result.posted == [] and len(result.unmatched) == 1
    return result.remittance.id


def test_an_unmatched_payment_posted_by_hand_puts_the_amounts_on_the_claim(db_session, billed):
    (a,), facts = _submitted(db_session, billed, 1)
    remittance_id = _unmatched_import(db_session, billed, facts[a.id])
    choices = manual_match.open_claims(db_session, billed["billing"].clinic_id)
    assert [c.case_id for c in choices] == [a.id] and "E0860" in choices[0].words
    words = manual_match.post_to_claim(db_session, billed["billing"], remittance_id, 0, a.id)
    assert words.startswith(f"Case {a.id}: paid 80.00, ICN ICN-X.")
    db_session.expire_all()
    record = db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == a.id))
    assert (record.paid, record.allowed, record.contractual, record.patient_responsibility) == (
        D("80.00"),
        D("100.00"),
        D("50.00"),
        D("20.00"),
    )
    assert record.icn == "ICN-X" and record.remittance_id == remittance_id
    assert db_session.get(Case, a.id).billing_state == "paid"
    row = db_session.get(RemittanceFile, remittance_id)
    assert row.unmatched[0]["posted_to"] == a.id and row.posted_case_ids == [a.id]
    audit = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "billing.remittance.match")
    ).all()
    assert [entry.object_id for entry in audit] == [str(a.id)]


def test_a_denial_posted_by_hand_keeps_its_codes(db_session, billed):
    (a,), facts = _submitted(db_session, billed, 1)
    remittance_id = _unmatched_import(db_session, billed, facts[a.id], how=remits.denied)
    manual_match.post_to_claim(db_session, billed["billing"], remittance_id, 0, a.id)
    db_session.expire_all()
    record = db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == a.id))
    assert record.adjustments == [{"group": "CO", "reason": "50", "amount": "150.00"}]
    assert record.remarks == ["N115"] and db_session.get(Case, a.id).billing_state == "denied"


def test_a_second_post_of_the_same_payment_is_refused(db_session, billed):
    (a, b), facts = _submitted(db_session, billed, 2)
    remittance_id = _unmatched_import(db_session, billed, facts[a.id])
    manual_match.post_to_claim(db_session, billed["billing"], remittance_id, 0, a.id)
    with pytest.raises(billing.InvalidInput) as refused:
        manual_match.post_to_claim(db_session, billed["billing"], remittance_id, 0, b.id)
    assert refused.value.errors[0].message == f"This payment was already posted to Case {a.id}."
    db_session.expire_all()
    assert db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == b.id)).paid is None


def test_another_clinics_claim_is_refused(db_session, billed):
    (a, b), facts = _submitted(db_session, billed, 2)
    remittance_id = _unmatched_import(db_session, billed, facts[a.id])
    other = Clinic(name="Other Clinic", phone="555-0199", address="2 Side St")
    db_session.add(other)
    db_session.flush()
    db_session.get(Case, b.id).clinic_id = other.id
    db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == b.id)).clinic_id = other.id
    db_session.commit()
    with pytest.raises(billing.InvalidInput) as refused:
        manual_match.post_to_claim(db_session, billed["billing"], remittance_id, 0, b.id)
    assert refused.value.errors[0].field == "case"
    assert b.id not in [c.case_id for c in manual_match.open_claims(db_session, a.clinic_id)]
    assert db_session.get(RemittanceFile, remittance_id).unmatched[0].get("posted_to") is None


def test_only_billing_staff_post(db_session, billed):
    (a,), facts = _submitted(db_session, billed, 1)
    remittance_id = _unmatched_import(db_session, billed, facts[a.id])
    with pytest.raises(billing.NotPermitted):
        manual_match.post_to_claim(db_session, billed["clinician"], remittance_id, 0, a.id)


def test_the_claims_to_choose_from_name_their_day_of_service_in_the_human_format(
    db_session, billed
):
    (a,), facts = _submitted(db_session, billed, 1)
    _unmatched_import(db_session, billed, facts[a.id])
    (choice,) = manual_match.open_claims(db_session, billed["billing"].clinic_id)
    assert re.search(r" · [A-Z][a-z]{2} \d{1,2}, \d{4} · ", choice.words), choice.words
    assert not re.search(r"\d{4}-\d{2}-\d{2}", choice.words)
