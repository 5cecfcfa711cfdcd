"""Medicare reopenings: an amended order of a claim the DME MAC processed is not sent as a
replacement claim; billing asks the DME MAC to reopen the claim, records the request (and the
answer), and the 835 that follows is matched as usual."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from dme_service.claims import x835_build
from dme_service.models import AuditEvent, BillingEvent, ClaimReopening, OrderAmendment
from dme_service.services import order_amendment
from dme_service.services.billing import claim as billing
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import queue as billing_queue
from dme_service.services.billing import queue_csv as billing_csv
from dme_service.services.billing import remittance as remittance_import
from dme_service.services.billing import reopening
from dme_service.services.errors import StaleCase
from services.billing.ready_claims import ready_claim
from services.billing.reopened_claims import (
    ICN,
    PAYEE,
    SENT,
    TODAY,
    amended_and_ready,
    fresh,
    remit,
)

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402

ASKED = date(2026, 12, 22)


def _ask(session, people, case, method="telephone", reference="R-88812", on=ASKED):
    return reopening.record_request(
        session,
        case.id,
        people["billing"],
        method=method,
        requested_on=on,
        reference=reference,
        today=TODAY,
        expected_version=case.version,
    )


def _row(session, people, case):
    rows = billing_queue.queue(session, people["billing"], today=TODAY)
    return next(r for r in rows if r.case.id == case.id)


def test_the_export_refuses_a_medicare_replacement_and_says_to_ask_for_a_reopening(
    db_session, billed
):
    case = amended_and_ready(db_session, billed)
    result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
    assert result.file is None
    (refused,) = result.refused
    assert refused.startswith(f"Case {case.id}, ") and "reopen the original claim" in refused
    row = _row(db_session, billed, case)
    assert row.correction_headline == "Reopening needed"
    assert f"quoting the claim's ICN {ICN}" in row.correction
    assert "force 12 lb → 10 lb" in row.correction and "Typo." not in row.correction
    assert "Ask by 2027-12-20" in row.correction
    line = next(
        line
        for line in billing_csv.queue_csv(db_session, billed["billing"], today=TODAY).splitlines()
        if line.startswith(f'"{case.id}"')
    )
    assert "Reopening needed" in line


def test_recording_the_request_answers_the_amendment_and_the_835_that_follows_settles_it(
    db_session, billed
):
    case = amended_and_ready(db_session, billed)
    row = _ask(db_session, billed, case)
    case = fresh(db_session, case.id)
    assert case.billing_state == "submitted"
    assert (row.method, row.requested_on, row.reference, row.icn, row.outcome) == (
        "telephone",
        ASKED,
        "R-88812",
        ICN,
        "pending",
    )
    amendment = db_session.scalars(select(OrderAmendment)).one()
    assert (amendment.corrected_sent_on, amendment.corrected_file_id) == (ASKED, None)
    move = db_session.scalars(select(BillingEvent).order_by(BillingEvent.id.desc())).first()
    assert (move.from_state, move.to_state) == ("ready_to_submit", "submitted")
    assert "Reopening of ICN 2226340123456 requested" in move.note and "R-88812" in move.note
    assert "billing.reopening.requested" in db_session.scalars(select(AuditEvent.action)).all()
    queued = _row(db_session, billed, case)
    assert queued.correction_headline == "Reopening requested"
    assert "waiting for the DME MAC" in queued.correction
    # The DME MAC adjusts the claim; its 835 is matched by our claim number as usual.
    posted = remit(db_session, billed, case, "2226340999999", trace="EFT-2")
    assert any("reopening is answered" in note for note in posted.notes)
    case = fresh(db_session, case.id)
    assert case.billing_state == "paid"
    row = db_session.scalars(select(ClaimReopening)).one()
    assert (row.outcome, row.decided_on) == ("adjusted", date(2026, 12, 20))
    assert row.outcome_source == "835 EFT-2 of 2026-12-20"
    amended = order_amendment.latest(db_session, case)
    assert amended.headline == "Reopening: claim corrected" and not amended.open


def test_a_declined_reopening_is_followed_by_a_redetermination(db_session, billed):
    case = amended_and_ready(db_session, billed)
    _ask(db_session, billed, case, method="portal", reference=None)
    with pytest.raises(reopening.CannotRecord):  # one request waits for an answer at a time
        _ask(db_session, billed, fresh(db_session, case.id))
    reopening.record_outcome(
        db_session,
        case.id,
        billed["billing"],
        outcome="declined",
        decided_on=date(2026, 12, 23),
        today=TODAY,
    )
    case = fresh(db_session, case.id)
    assert _row(db_session, billed, case).correction_headline == "Reopening declined"
    _ask(db_session, billed, case, method="redetermination", reference=None, on=TODAY)
    case = fresh(db_session, case.id)
    assert case.billing_state == "appealed"
    methods = [r.method for r in reopening.requests(db_session, case)]
    assert methods == ["redetermination", "portal"]
    assert "billing.reopening.answered" in db_session.scalars(select(AuditEvent.action)).all()


def test_a_claim_returned_unprocessable_goes_again_as_a_new_claim(db_session, billed):
    def unprocessable(facts, icn):
        answer = remits.denied(facts, icn)
        line = replace(answer.lines[0], remarks=("MA130",))
        return replace(answer, lines=(line,))

    case = amended_and_ready(db_session, billed, answer=unprocessable)
    assert _row(db_session, billed, case).correction_headline == "New claim needed"
    result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
    assert result.refused == []
    assert f"CLM*DME{case.id}*150***12:B:1*" in result.file.content
    assert "REF*F8" not in result.file.content
    assert not reopening.may_request(db_session, case)


@pytest.mark.parametrize(
    ("who", "change", "refusal", "words"),
    [
        ("clinician", {}, billing.NotPermitted, "Only billing staff"),
        ("billing", {"payer": "aetna"}, reopening.CannotRecord, "this payer takes a corrected"),
        ("billing", {"stale": True}, StaleCase, "changed while you were looking"),
        ("billing", {"method": "fax"}, reopening.ReopeningInvalid, "Choose one of the ways"),
        ("billing", {"on": date(2026, 12, 19)}, reopening.ReopeningInvalid, "2026-12-20"),
        ("billing", {"on": date(2026, 12, 29)}, reopening.ReopeningInvalid, "in the future"),
    ],
)
def test_a_request_is_refused_in_billers_words(db_session, billed, who, change, refusal, words):
    case = amended_and_ready(db_session, billed, payer=change.get("payer", "medicare"))
    with pytest.raises(refusal) as refused:
        reopening.record_request(
            db_session,
            case.id,
            billed[who],
            method=change.get("method", "telephone"),
            requested_on=change.get("on", ASKED),
            reference="R-1",
            today=TODAY,
            expected_version=case.version - 1 if change.get("stale") else case.version,
        )
    assert words in refused.value.message
    db_session.rollback()
    assert db_session.scalars(select(ClaimReopening)).all() == []


def test_a_request_waits_until_the_amended_order_is_signed_and_reviewed(db_session, billed):
    case = ready_claim(db_session, billed)
    result = claim_export.export(db_session, billed["billing"], [case.id], today=SENT)
    claim_export.confirm_sent(db_session, billed["billing"], result.file.id, SENT, today=SENT)
    case = fresh(db_session, case.id)
    order_amendment.amend(
        db_session, case.id, billed["clinician"], "Typo.", expected_version=case.version
    )
    case = fresh(db_session, case.id)
    assert not reopening.may_request(db_session, case)
    with pytest.raises(reopening.CannotRecord) as refused:
        _ask(db_session, billed, case)
    assert "once the practitioner signs it" in refused.value.message


def test_the_dme_mac_adjustment_comes_as_a_take_back_and_a_corrected_payment(db_session, billed):
    case = amended_and_ready(db_session, billed)
    _ask(db_session, billed, case)
    case = fresh(db_session, case.id)
    facts = claim_money.claim_facts(db_session, case, claim_money.claim_record(db_session, case))
    original = remits.paid(facts, ICN)
    corrected = remits.paid(facts, "2226340999999")
    text = x835_build.build(
        remits.remittance(remits.reversal(original), corrected, payee=PAYEE, trace="EFT-9")
    )
    posted = remittance_import.import_835(db_session, billed["billing"], text.encode())
    assert posted.posted[0].startswith(f"Case {case.id}: payment taken back (-80.00")
    case = fresh(db_session, case.id)
    assert case.billing_state == "paid"
    record = claim_money.claim_record(db_session, case)
    assert (record.paid, record.icn) == (D("80.00"), "2226340999999")
    claim = billing_queue.claim(db_session, case.id, billed["billing"])
    assert [(p.reversal, p.paid) for p in claim.payments] == [
        (False, D("80.00")),
        (True, D("-80.00")),
        (False, D("80.00")),
    ]
    row = db_session.scalars(select(ClaimReopening)).one()
    assert (row.outcome, row.outcome_source) == ("adjusted", "835 EFT-9 of 2026-12-20")
