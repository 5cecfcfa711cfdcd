"""835 take-backs: a reversal (CLP02 = 22) of a claim's earlier payment is posted with its
amounts negative and kept in the claim's payment history, with the corrected payment that
follows; the claim's amounts are their sum."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from sqlalchemy import select

from dme_service.claims import x835_build
from dme_service.models import AuditEvent, ClaimPosting
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import queue as billing_queue
from dme_service.services.billing import remittance as remittance_import
from dme_service.services.billing import reports
from services.billing.ready_claims import ready_claim
from services.billing.reopened_claims import ICN, PAYEE, SENT, fresh

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402

from dme_service.services.billing import export as claim_export  # noqa: E402


def _paid_claim(session, people, payer="aetna"):
    case = ready_claim(session, people, payer=payer)
    result = claim_export.export(session, people["billing"], [case.id], today=SENT)
    claim_export.confirm_sent(session, people["billing"], result.file.id, SENT, today=SENT)
    case = fresh(session, case.id)
    facts = claim_money.claim_facts(session, case, claim_money.claim_record(session, case))
    original = remits.paid(facts, ICN)
    _import(session, people, remits.remittance(original, payee=PAYEE, trace="EFT-1"))
    return fresh(session, case.id), facts, original


def _import(session, people, remittance):
    text = x835_build.build(remittance)
    return remittance_import.import_835(session, people["billing"], text.encode())


def _postings(session, case_id):
    query = select(ClaimPosting).where(ClaimPosting.case_id == case_id).order_by(ClaimPosting.id)
    return [(p.status, p.reversal, p.paid, p.icn) for p in session.scalars(query)]


def test_a_take_back_alone_leaves_the_claim_paid_with_nothing_paid_and_says_so(db_session, billed):
    case, _facts, original = _paid_claim(db_session, billed)
    assert case.billing_state == "paid"
    # The check also pays another supplier's patient (kept unmatched): a take-back alone would
    # make the payment negative.
    other = replace(original, control_number="X77", member_id="9ZZ9ZZ9ZZ99", patient_last="ROE")
    taken = remits.remittance(remits.reversal(original), other, payee=PAYEE, trace="EFT-2")
    result = _import(db_session, billed, taken)
    assert result.posted == [f"Case {case.id}: payment taken back (-80.00, reversal of ICN {ICN})."]
    assert "the claim stays paid until the corrected payment is posted" in " ".join(result.notes)
    case = fresh(db_session, case.id)
    record = claim_money.claim_record(db_session, case)
    assert case.billing_state == "paid"
    assert (record.paid, record.allowed, record.contractual, record.patient_responsibility) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert (record.billed, record.icn, record.adjustments) == (D("150.00"), ICN, [])
    assert _postings(db_session, case.id) == [
        ("1", False, D("80.00"), ICN),
        ("22", True, D("-80.00"), ICN),
    ]
    assert "billing.remittance.import" in db_session.scalars(select(AuditEvent.action)).all()


def test_a_reversal_and_the_corrected_payment_in_one_835_post_in_that_order(db_session, billed):
    case, facts, original = _paid_claim(db_session, billed)
    corrected = remits.deductible(facts, "2226340999999")  # paid 40.00 now, 60.00 deductible
    # The corrected payment first in the file: the take-back is still posted before it.
    _import(
        db_session,
        billed,
        remits.remittance(corrected, remits.reversal(original), payee=PAYEE, trace="EFT-3"),
    )
    record = claim_money.claim_record(db_session, fresh(db_session, case.id))
    assert (record.paid, record.patient_responsibility, record.icn) == (
        D("40.00"),
        D("60.00"),
        "2226340999999",
    )
    assert _postings(db_session, case.id) == [
        ("1", False, D("80.00"), ICN),
        ("22", True, D("-80.00"), ICN),
        ("1", False, D("40.00"), "2226340999999"),
    ]
    claim = billing_queue.claim(db_session, case.id, billed["billing"])
    assert [p.paid for p in claim.payments] == [D("80.00"), D("-80.00"), D("40.00")]


def test_the_money_report_shows_the_take_back_and_the_corrected_payment(db_session, billed):
    case, facts, original = _paid_claim(db_session, billed)
    corrected = remits.deductible(facts, "2226340999999")
    _import(
        db_session,
        billed,
        remits.remittance(remits.reversal(original), corrected, payee=PAYEE, trace="EFT-4"),
    )
    report = reports.money_report(db_session, billed["billing"], date(2026, 12, 1), SENT)
    (row,) = report.rows
    assert (row.paid, row.taken_back) == (D("40.00"), D("-80.00"))
    assert report.taken_back == D("-80.00")
    (take_back,) = report.take_backs
    assert (take_back.case_id, take_back.amount, take_back.icn) == (case.id, D("-80.00"), ICN)
    assert (take_back.corrected_paid, take_back.corrected_icn) == (D("40.00"), "2226340999999")
    assert take_back.trace == "EFT-4"
