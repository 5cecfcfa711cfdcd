"""837P export from the queue and 835 posting back, through the services and the database."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from dme_service.claims import x835_build
from dme_service.claims.x835 import RemittanceRefused
from dme_service.models import BillingEvent, Case, ClaimFile, ClaimRecord, Clinic, RemittanceFile
from dme_service.services.billing import claim as billing
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import fees as billing_fees
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import remittance as remittance_import
from dme_service.services.billing import replaced_files
from services.billing.ready_claims import SERVICE_DATE, ready_claim

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402
from claims.pyx12_check import accepted, validate  # noqa: E402

TODAY = date(2026, 12, 6)


def export(session, people, cases):
    return claim_export.export(session, people["billing"], [c.id for c in cases], today=TODAY)


def test_export_validates_with_pyx12_and_moves_nothing_yet(db_session, billed):
    cases = [ready_claim(db_session, billed) for _ in range(3)]
    result = export(db_session, billed, cases)
    assert result.refused == [] and len(result.exported) == 3
    ok, ack = validate(result.file.content)
    assert ok and accepted(ack), ack
    assert "SV1*HC:E0860:NU*150*UN*1***1" in result.file.content
    db_session.expire_all()
    assert {db_session.get(Case, c.id).billing_state for c in cases} == {"ready_to_submit"}
    record = db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == cases[0].id))
    assert (record.billed, record.claim_file_id) == (D("150.00"), result.file.id)


def test_refused_claims_are_listed_in_words_and_the_others_exported(db_session, billed):
    good = ready_claim(db_session, billed)
    homeless = ready_claim(db_session, billed, address=False, patient_name="Ann Lee")
    result = export(db_session, billed, [good, homeless])
    assert result.exported == [f"Case {good.id}, Jane Q. Doe"]
    assert result.refused == [
        f"Case {homeless.id}, Ann Lee: patient address: Give the street address and city."
    ]
    assert f"DME{homeless.id}" not in result.file.content


def test_a_claim_without_a_date_of_service_is_refused_once_for_that_reason(db_session, billed):
    # Marked ready with a date of service the biller then cleared: the fee exists, so the
    # refusal names the date alone, in one line for the one claim.
    case = ready_claim(db_session, billed, delivery=None, service_date=SERVICE_DATE)
    claim_money.claim_record(db_session, case).service_date = None
    db_session.commit()
    result = export(db_session, billed, [case])
    assert result.file is None
    assert result.refused == [
        f"Case {case.id}, Jane Q. Doe: line 1 (E0860) date of service: "
        "Give the date of service (the delivery date)."
    ]


def test_clinic_gaps_are_said_once_and_each_claim_is_counted_once(db_session, billed):
    case = ready_claim(db_session, billed)
    db_session.get(Clinic, case.clinic_id).org_npi = "1245319598"
    db_session.commit()
    result = export(db_session, billed, [case])
    assert result.file is None
    assert result.clinic_problems == [
        "billing NPI: Give the clinic's 10-digit NPI (its check digit fails); it is the "
        "organization NPI of the clinic profile."
    ]
    assert result.refused == [
        f"Case {case.id}, Jane Q. Doe: held back only because the clinic's billing identity "
        "is incomplete."
    ]


def test_a_claim_not_ready_is_refused_by_its_state(db_session, billed):
    case = ready_claim(db_session, billed)
    first = export(db_session, billed, [case])
    claim_export.confirm_sent(db_session, billed["billing"], first.file.id, TODAY, today=TODAY)
    again = export(db_session, billed, [case])
    assert again.file is None
    assert again.refused == [
        f"Case {case.id}, Jane Q. Doe: claim state: it is submitted; "
        "only claims ready to submit are exported."
    ]


def test_confirming_the_file_sent_submits_its_claims_on_the_typed_day(db_session, billed):
    case = ready_claim(db_session, billed)
    result = export(db_session, billed, [case])
    sent = date(2026, 12, 4)
    done = claim_export.confirm_sent(
        db_session, billed["billing"], result.file.id, sent, today=TODAY
    )
    assert done.submitted == [case.id]
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "submitted"
    record = db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))
    assert record.submitted_on == sent
    assert db_session.get(ClaimFile, result.file.id).sent_on == sent


def _submitted(session, people, n):
    cases = [ready_claim(session, people) for _ in range(n)]
    result = export(session, people, cases)
    claim_export.confirm_sent(session, people["billing"], result.file.id, TODAY, today=TODAY)
    facts = {}
    for case in cases:
        session.expire_all()
        case = session.get(Case, case.id)
        record = claim_money.claim_record(session, case)
        facts[case.id] = claim_money.claim_facts(session, case, record)
    return cases, facts


def test_an_835_from_the_exported_claims_posts_each_outcome_once(db_session, billed):
    (a, b, c), facts = _submitted(db_session, billed, 3)
    text = x835_build.build(
        remits.remittance(
            remits.paid(facts[a.id], "ICN-A"),
            remits.denied(facts[b.id], "ICN-B"),
            remits.deductible(facts[c.id], "ICN-C"),
            payee=replace(remits.PAYEE, id="1234567893"),
        )
    )
    result = remittance_import.import_835(db_session, billed["billing"], text.encode())
    assert result.unmatched == [] and len(result.posted) == 3
    db_session.expire_all()
    states = {k: db_session.get(Case, k).billing_state for k in (a.id, b.id, c.id)}
    assert states == {a.id: "paid", b.id: "denied", c.id: "paid"}
    rec = {r.case_id: r for r in db_session.scalars(select(ClaimRecord))}
    assert (rec[a.id].paid, rec[a.id].allowed, rec[a.id].contractual) == (
        D("80.00"),
        D("100.00"),
        D("50.00"),
    )
    assert (rec[a.id].patient_responsibility, rec[a.id].icn) == (D("20.00"), "ICN-A")
    assert rec[a.id].remitted_on == date(2026, 12, 20)
    assert (rec[b.id].paid, rec[b.id].remarks) == (D("0.00"), ["N115"])
    assert rec[b.id].adjustments == [{"group": "CO", "reason": "50", "amount": "150.00"}]
    denial = db_session.scalars(
        select(BillingEvent).where(BillingEvent.case_id == b.id, BillingEvent.to_state == "denied")
    ).one()
    assert (denial.carc_codes, denial.rarc_codes) == (["50"], ["N115"])
    assert rec[c.id].patient_responsibility == D("60.00") and rec[c.id].paid == D("40.00")
    events = db_session.scalar(select(func.count(BillingEvent.id)))
    again = remittance_import.import_835(db_session, billed["billing"], text.encode())
    assert again.already_imported and again.remittance.id == result.remittance.id
    assert db_session.scalar(select(func.count(BillingEvent.id))) == events
    assert db_session.scalar(select(func.count(RemittanceFile.id))) == 1


def test_a_paid_remittance_without_proof_of_delivery_posts_amounts_but_stays_submitted(
    db_session, billed
):
    case = ready_claim(db_session, billed, delivery=None, service_date=SERVICE_DATE)
    result = export(db_session, billed, [case])
    assert result.refused == []
    claim_export.confirm_sent(db_session, billed["billing"], result.file.id, TODAY, today=TODAY)
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    text = x835_build.build(
        remits.remittance(remits.paid(facts, "ICN-A"), payee=replace(remits.PAYEE, id="1234567893"))
    )
    posted = remittance_import.import_835(db_session, billed["billing"], text.encode())
    assert any("record proof of delivery" in note for note in posted.notes)
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "submitted"
    record = db_session.scalar(select(ClaimRecord).where(ClaimRecord.case_id == case.id))
    assert record.paid == D("80.00")


def test_unmatched_payments_are_kept_for_manual_matching(db_session, billed):
    (a,), facts = _submitted(db_session, billed, 1)
    stranger = replace(
        facts[a.id],
        control_number="ELSEWHERE9",
        subscriber=replace(facts[a.id].subscriber, member_id="9ZZ9ZZ9ZZ99"),
    )
    text = x835_build.build(
        remits.remittance(
            remits.paid(stranger, "ICN-X"), payee=replace(remits.PAYEE, id="1234567893")
        )
    )
    result = remittance_import.import_835(db_session, billed["billing"], text.encode())
    assert result.posted == [] and len(result.unmatched) == 1
    kept = db_session.scalar(select(RemittanceFile)).unmatched
    assert kept[0]["control_number"] == "ELSEWHERE9" and kept[0]["paid"] == "80.00"


def test_without_our_control_number_member_date_and_hcpcs_match(db_session, billed):
    (a,), facts = _submitted(db_session, billed, 1)
    renamed = replace(facts[a.id], control_number="PAYERREKEYED1")
    text = x835_build.build(
        remits.remittance(
            remits.paid(renamed, "ICN-M"), payee=replace(remits.PAYEE, id="1234567893")
        )
    )
    result = remittance_import.import_835(db_session, billed["billing"], text.encode())
    assert result.unmatched == [] and result.posted[0].startswith(f"Case {a.id}: paid 80.00")


@pytest.mark.parametrize("damage", ["another payee", "truncated", "unbalanced"])
def test_a_refused_file_posts_nothing(db_session, billed, damage):
    (a, b), facts = _submitted(db_session, billed, 2)
    text = x835_build.build(
        remits.remittance(
            remits.paid(facts[a.id], "ICN-A"),
            remits.denied(facts[b.id], "ICN-B"),
            payee=replace(remits.PAYEE, id="1234567893"),
        )
    )
    if damage == "another payee":
        text = text.replace("XX*1234567893", "XX*1245319599")
    elif damage == "truncated":
        text = text[: text.index("SE*")]
    else:
        text = text.replace("BPR*I*80*", "BPR*I*90*")
    with pytest.raises(RemittanceRefused):
        remittance_import.import_835(db_session, billed["billing"], text.encode())
    db_session.expire_all()
    assert db_session.scalar(select(func.count(RemittanceFile.id))) == 0
    assert {db_session.get(Case, k).billing_state for k in (a.id, b.id)} == {"submitted"}
    assert db_session.scalar(select(ClaimRecord.paid).where(ClaimRecord.case_id == a.id)) is None


def test_fee_in_force_on_the_date_of_service(db_session, billed):
    clinic_id, user = billed["billing"].clinic_id, billed["billing"]
    billing_fees.add_fee(
        db_session,
        user,
        hcpcs="e0860",
        purchase_or_rental="NU",
        amount="$175.00",
        effective_from="2026-12-01",
    )
    assert billing_fees.fee(db_session, clinic_id, "E0860", "NU", SERVICE_DATE) == D("150.00")
    assert billing_fees.fee(db_session, clinic_id, "E0860", "NU", date(2026, 12, 2)) == D("175.00")
    _, problems = billing_fees.fee_problems("X", "UE", "1.234", "soon")
    assert [p.field for p in problems] == [
        "hcpcs",
        "purchase_or_rental",
        "amount",
        "effective_from",
    ]


def test_the_queue_puts_the_nearest_deadline_first(db_session, billed):
    from dme_service.services.billing import queue as billing_queue

    later, sooner, none = (ready_claim(db_session, billed) for _ in range(3))
    for case, served in ((later, date(2026, 11, 20)), (sooner, date(2026, 1, 15))):
        claim_money.claim_record(db_session, case).service_date = served
    db_session.commit()
    none_case = db_session.get(Case, none.id)
    none_case.payer = "aetna"  # no deadline computed for a commercial payer
    db_session.commit()
    rows = billing_queue.queue(
        db_session, billed["billing"], ("ready_to_submit",), sort="deadline", today=TODAY
    )
    assert [r.case.id for r in rows] == [sooner.id, later.id, none.id]
    assert rows[0].deadline.due == date(2027, 1, 15)
    assert rows[0].deadline.days_left(TODAY) == 40


def test_a_file_whose_claim_went_in_another_file_cannot_be_confirmed_sent(db_session, billed):
    # Export pressed twice: the same claim in two files; the biller sends the second one.
    case = ready_claim(db_session, billed)
    first = export(db_session, billed, [case]).file
    second = export(db_session, billed, [case]).file
    claim_export.confirm_sent(db_session, billed["billing"], second.id, TODAY, today=TODAY)
    replaced = replaced_files.replacements(db_session, db_session.get(ClaimFile, first.id))
    words = (
        f"Replaced: claim DME{case.id} went to the payer in file {second.control_number} "
        "on Dec 6, 2026; do not send this file."
    )
    assert [r.words for r in replaced] == [words]
    with pytest.raises(billing.InvalidInput) as refused:
        claim_export.confirm_sent(db_session, billed["billing"], first.id, TODAY, today=TODAY)
    assert [p.message for p in refused.value.errors] == [words]
    db_session.expire_all()
    assert db_session.get(ClaimFile, first.id).sent_on is None


def test_a_file_made_after_the_claim_was_sent_is_not_replaced(db_session, billed):
    case = ready_claim(db_session, billed)
    sent = export(db_session, billed, [case]).file
    claim_export.confirm_sent(db_session, billed["billing"], sent.id, TODAY, today=TODAY)
    db_session.get(Case, case.id).billing_state = "ready_to_submit"  # rejected, fixed, again
    db_session.commit()
    later = export(db_session, billed, [case]).file
    assert replaced_files.replacements(db_session, later) == []
    assert replaced_files.replacements(db_session, sent) == []
