"""Amend the order: after the claim went to the payer, a new order version for a new signature
and a corrected claim (frequency 7, REF*F8 = the 835's CLP07); the original claim keeps the
signature it was billed on."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from dme_service.claims import x835_build
from dme_service.models import AuditEvent, BillingEvent, Case, Document, OrderAmendment
from dme_service.services import order_amendment, order_changes, signed_order, signing
from dme_service.services.billing import export as claim_export
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import queue as billing_queue
from dme_service.services.billing import queue_csv as billing_csv
from dme_service.services.billing import remittance as remittance_import
from dme_service.services.errors import StaleCase
from dme_service.store.cases import to_document
from dme_service.store.signed_content import check_signature, current_signature, signatures
from services.billing.ready_claims import ready_claim
from services.case_steps import save

sys.path.insert(0, "tests")
from claims import remits  # noqa: E402
from claims.pyx12_check import accepted, validate  # noqa: E402

TODAY = date(2026, 12, 6)
REASON = "Dr Okafor ordered 10 lb; 12 lb was typed by mistake."
PAYEE = replace(remits.PAYEE, id="1234567893")


def _fresh(session, case_id) -> Case:
    session.expire_all()
    return session.get(Case, case_id)


def _submitted(session, people, payer="aetna") -> Case:
    """A claim sent and confirmed; a commercial payer's by default, which takes a replacement
    claim (a Medicare one is corrected by a reopening: services/billing/test_reopening.py)."""
    case = ready_claim(session, people, payer=payer)
    result = claim_export.export(session, people["billing"], [case.id], today=TODAY)
    claim_export.confirm_sent(session, people["billing"], result.file.id, TODAY, today=TODAY)
    return _fresh(session, case.id)


def _remit(session, people, case, icn, *, denied=False):
    record = claim_money.claim_record(session, case)
    facts = claim_money.claim_facts(session, case, record)
    answer = remits.denied(facts, icn) if denied else remits.paid(facts, icn)
    text = x835_build.build(remits.remittance(answer, payee=PAYEE, trace=f"EFT-{icn}"))
    remittance_import.import_835(session, people["billing"], text.encode())
    return _fresh(session, case.id)


def _amend(session, people, case, reason=REASON, who="clinician"):
    return order_amendment.amend(
        session, case.id, people[who], reason, expected_version=case.version
    )


def _force(session, people, case, force):
    request = {**to_document(case)["request"], "force_lb": force}
    save(session, people["clinician"], case, "prescription", {"request": request})
    return _fresh(session, case.id)


def _sign(session, people, case):
    signing.sign(session, case.id, people["practitioner"], expected_version=case.version)
    return _fresh(session, case.id)


def test_amending_a_paid_claim_keeps_its_signature_and_sends_the_order_for_a_new_one(
    db_session, billed
):
    case = _remit(db_session, billed, _submitted(db_session, billed), "2226340123456")
    assert case.billing_state == "paid"
    original = current_signature(db_session, case.id)
    row = _amend(db_session, billed, case)
    case = _fresh(db_session, case.id)
    assert case.billing_state == "awaiting_signature"
    assert (row.order_version, row.claim_state, row.payer_claim_number) == (
        2,
        "paid",
        "2226340123456",
    )
    assert row.original_claim["paid"] == "80.00" and row.signature_id == original.id
    # Superseded, never voided: the paid claim keeps the signature it was paid on.
    kept = db_session.get(type(original), original.id)
    assert kept.voided_at is None and kept.superseded_at is not None
    assert current_signature(db_session, case.id) is None
    entries = kept.document_hashes.values()
    signed_files = [db_session.get(Document, entry["document_id"]) for entry in entries]
    assert signed_files and all(d.superseded_at is not None for d in signed_files)
    state = signed_order.signature_state(db_session, case)
    assert (state.state, state.order_version, state.awaiting) == (
        "superseded",
        2,
        case.treating_practitioner.name + ", MD",
    )
    assert signing.awaiting_signature(db_session, billed["practitioner"])[0].id == case.id
    actions = db_session.scalars(select(AuditEvent.action)).all()
    assert "case.order_amended" in actions
    move = db_session.scalars(select(BillingEvent).order_by(BillingEvent.id.desc())).first()
    assert (move.from_state, move.to_state) == ("paid", "awaiting_signature")
    assert "corrected claim" in move.note and REASON not in move.note  # reason is clinical


def test_after_the_amendment_the_frozen_facts_can_be_edited_without_a_warning(db_session, billed):
    case = _submitted(db_session, billed)
    with pytest.raises(signed_order.OrderFrozen) as frozen:
        _force(db_session, billed, case, 10)
    assert "amend the order" in frozen.value.message
    assert "ask billing" not in frozen.value.message
    _amend(db_session, billed, _fresh(db_session, case.id))
    case = _force(db_session, billed, _fresh(db_session, case.id), 10)
    assert case.home_prescription.force_lb == 10
    assert case.billing_state == "awaiting_signature"
    # The re-sign page lists the change since the practitioner's (superseded) signature.
    since = order_changes.since_last_look(db_session, case)
    assert since.what == "signed"
    force = [c for c in since.changes if "force" in c.label]
    assert force and (force[0].old, force[0].new) == ("12 lb", "10 lb")


def test_the_amended_order_signed_goes_as_a_corrected_claim_and_back_through_the_moves(
    db_session, billed
):
    case = _remit(db_session, billed, _submitted(db_session, billed), "2226340123456")
    original = current_signature(db_session, case.id)
    _amend(db_session, billed, case)
    case = _sign(db_session, billed, _force(db_session, billed, _fresh(db_session, case.id), 10))
    assert case.billing_state == "signed" and check_signature(db_session, case).valid
    assert signed_order.signature_state(db_session, case).order_version == 2
    from dme_service.services.billing import claim as billing

    billing.transition(
        db_session, case.id, "ready_to_submit", billed["billing"], expected_version=case.version
    )
    result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
    assert result.refused == []
    content = result.file.content
    assert f"CLM*DME{case.id}*150***12:B:7*Y*A*Y*Y~" in content
    assert "REF*F8*2226340123456~" in content
    ok, ack = validate(content)
    assert ok and accepted(ack), ack
    assert order_amendment.corrected_in_file(db_session, result.file) == {case.id}
    claim_export.confirm_sent(db_session, billed["billing"], result.file.id, TODAY, today=TODAY)
    assert order_amendment.corrected_in_file(db_session, result.file) == {case.id}
    case = _fresh(db_session, case.id)
    assert case.billing_state == "submitted"
    row = db_session.scalars(select(OrderAmendment)).one()
    assert (row.corrected_file_id, row.corrected_sent_on) == (result.file.id, TODAY)
    case = _remit(db_session, billed, case, "2226340999999")
    assert case.billing_state == "paid"
    # The original claim's signature is still on file and still proves what was signed.
    amended = order_amendment.latest(db_session, case)
    assert amended.kept_intact and amended.row.signature_id == original.id
    assert not amended.pending and "Corrected claim sent" in amended.claim_words
    assert [s.voided_at for s in signatures(db_session, case.id)] == [None, None]


def test_a_corrected_claim_whose_original_number_is_unknown_is_refused_in_words(db_session, billed):
    case = _submitted(db_session, billed)  # submitted, no 835 yet: no CLP07 known
    _amend(db_session, billed, case)
    case = _sign(db_session, billed, _force(db_session, billed, _fresh(db_session, case.id), 10))
    from dme_service.services.billing import claim as billing

    billing.transition(
        db_session, case.id, "ready_to_submit", billed["billing"], expected_version=case.version
    )
    result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
    assert result.file is None
    (refused,) = result.refused
    assert refused.startswith(f"Case {case.id}, ")
    assert "payer's claim number of the original claim" in refused
    assert "is not known" in refused and "835" in refused


def test_billing_reads_that_a_corrected_claim_is_needed_without_the_clinical_reason(
    db_session, billed
):
    case = _remit(db_session, billed, _submitted(db_session, billed), "2226340123456")
    _amend(db_session, billed, case)
    case = _force(db_session, billed, _fresh(db_session, case.id), 10)
    row = next(
        r for r in billing_queue.queue(db_session, billed["billing"]) if r.case.id == case.id
    )
    assert "Corrected claim needed" in row.correction
    assert "It replaces payer claim 2226340123456" in row.correction
    assert "force 12 lb → 10 lb" in row.correction
    assert REASON not in row.correction
    text = billing_csv.queue_csv(db_session, billed["billing"])
    header, *lines = text.splitlines()
    assert '"Corrected claim"' in header
    line = next(line for line in lines if line.startswith(f'"{case.id}"'))
    assert "Corrected claim needed" in line


@pytest.mark.parametrize(
    ("state", "amendable"),
    [
        ("draft", False),
        ("awaiting_signature", False),
        ("signed", False),
        ("ready_to_submit", False),
        ("submitted", True),
        ("denied", True),
        ("resubmitted", True),
        ("appealed", True),
        ("paid", True),
        ("closed", True),
    ],
)
def test_only_an_order_whose_claim_went_to_the_payer_is_amended(
    db_session, billed, state, amendable
):
    case = ready_claim(db_session, billed)
    case.billing_state = state
    db_session.commit()
    case = _fresh(db_session, case.id)
    if amendable:
        assert _amend(db_session, billed, case).claim_state == state
    else:
        with pytest.raises(order_amendment.CannotAmend) as refused:
            _amend(db_session, billed, case)
        assert "edited as usual" in refused.value.message


@pytest.mark.parametrize(
    ("reason", "field_message"),
    [
        ("", "Say why the order must change"),
        ("   ", "Say why the order must change"),
        ("x" * 1001, "Keep the reason under 1000 characters"),
        ("bad\x00text", "cannot be stored"),
    ],
)
def test_a_reason_is_required_in_clinician_words(db_session, billed, reason, field_message):
    case = _submitted(db_session, billed)
    with pytest.raises(order_amendment.AmendmentInvalid) as refused:
        _amend(db_session, billed, case, reason=reason)
    assert field_message in refused.value.errors["reason"]
    assert _fresh(db_session, case.id).billing_state == "submitted"


def test_billing_cannot_amend_and_a_stale_page_is_refused(db_session, billed):
    case = _submitted(db_session, billed)
    with pytest.raises(order_amendment.NotPermitted):
        _amend(db_session, billed, case, who="billing")
    with pytest.raises(StaleCase):
        order_amendment.amend(
            db_session, case.id, billed["clinician"], REASON, expected_version=case.version - 1
        )
    assert db_session.scalars(select(OrderAmendment)).all() == []


def test_a_second_amendment_is_order_version_3_and_replaces_the_latest_payer_number(
    db_session, billed
):
    from dme_service.services.billing import claim as billing

    case = _remit(db_session, billed, _submitted(db_session, billed), "ICN-1")
    for version, force, icn in ((2, 10, "ICN-2"), (3, 11, "ICN-3")):
        row = _amend(db_session, billed, case)
        assert row.order_version == version
        case = _force(db_session, billed, _fresh(db_session, case.id), force)
        case = _sign(db_session, billed, case)
        billing.transition(
            db_session, case.id, "ready_to_submit", billed["billing"], expected_version=case.version
        )
        result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
        assert f"REF*F8*{'ICN-1' if version == 2 else 'ICN-2'}~" in result.file.content
        claim_export.confirm_sent(db_session, billed["billing"], result.file.id, TODAY, today=TODAY)
        case = _remit(db_session, billed, _fresh(db_session, case.id), icn)
    assert order_amendment.order_version(db_session, case.id) == 3


def _ready_after_amending(session, people):
    """A claim submitted with no 835 yet, its order amended and signed again, ready."""
    from dme_service.services.billing import claim as billing

    case = _submitted(session, people)
    _amend(session, people, case)
    case = _sign(session, people, _force(session, people, _fresh(session, case.id), 10))
    billing.transition(
        session, case.id, "ready_to_submit", people["billing"], expected_version=case.version
    )
    return _fresh(session, case.id)


def test_billing_types_the_original_claim_number_when_no_835_brought_it(db_session, billed):
    case = _ready_after_amending(db_session, billed)
    assert claim_export.export(db_session, billed["billing"], [case.id], today=TODAY).file is None
    order_amendment.record_payer_number(db_session, case.id, billed["billing"], " 2226340555 ")
    result = claim_export.export(db_session, billed["billing"], [case.id], today=TODAY)
    assert result.refused == []
    assert "REF*F8*2226340555~" in result.file.content and ":B:7*" in result.file.content
    assert "billing.original_claim_number" in db_session.scalars(select(AuditEvent.action)).all()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Type the payer's claim number"),
        ("12*34~ST", "is not a payer's claim number"),
        ("1" * 51, "is not a payer's claim number"),
    ],
)
def test_a_typed_original_claim_number_must_be_one_a_payer_gives(
    db_session, billed, number, message
):
    case = _ready_after_amending(db_session, billed)
    with pytest.raises(order_amendment.AmendmentInvalid) as refused:
        order_amendment.record_payer_number(db_session, case.id, billed["billing"], number)
    assert message in refused.value.errors["payer_claim_number"]


def test_only_billing_types_the_number_and_only_for_a_corrected_claim_waiting(db_session, billed):
    case = _submitted(db_session, billed)
    with pytest.raises(order_amendment.CannotAmend):
        order_amendment.record_payer_number(db_session, case.id, billed["billing"], "12345")
    _amend(db_session, billed, case)
    with pytest.raises(order_amendment.NotPermitted):
        order_amendment.record_payer_number(db_session, case.id, billed["clinician"], "12345")


# --- the practitioner is told ------------------------------------------------------------


def test_the_practitioner_who_signed_is_mailed_that_the_order_was_amended(
    db_session, billed, smtp_server, tmp_path
):
    from dme_service.services.mail import outbox

    case = _submitted(db_session, billed)
    settings = outbox.MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")
    mail = outbox.Mail("https://dme.example.org", settings)
    order_amendment.amend(
        db_session, case.id, billed["clinician"], REASON, expected_version=case.version,
        mail=mail,
    )  # fmt: skip
    (message,) = smtp_server.messages
    assert message["X-DME-Kind"] == "order_amended"
    assert message["To"] == billed["practitioner"].email
    body = message.get_content()
    assert f"https://dme.example.org/signing/cases/{case.id}" in body
    assert billed["clinician"].name in body
    patient = case.patient
    for secret in (patient.name, patient.member_id, patient.date_of_birth.isoformat(), "10 lb"):
        assert secret not in message.as_string()


def test_a_refused_amendment_mails_nobody(db_session, billed, smtp_server, tmp_path):
    from dme_service.services.mail import outbox

    case = ready_claim(db_session, billed)  # not gone to the payer: edited as usual
    settings = outbox.MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")
    with pytest.raises(order_amendment.CannotAmend):
        order_amendment.amend(
            db_session, case.id, billed["clinician"], REASON, expected_version=case.version,
            mail=outbox.Mail("https://dme.example.org", settings),
        )  # fmt: skip
    assert smtp_server.messages == []


def test_a_practitioner_who_turned_mail_off_is_not_mailed(
    db_session, billed, smtp_server, tmp_path
):
    from dme_service.services.mail import outbox

    case = _submitted(db_session, billed)
    billed["practitioner"].mail_opt_out = True
    db_session.commit()
    settings = outbox.MailSettings(smtp_server.url, "DME <dme@x.org>", tmp_path / "outbox")
    order_amendment.amend(
        db_session, case.id, billed["clinician"], REASON, expected_version=case.version,
        mail=outbox.Mail("https://dme.example.org", settings),
    )  # fmt: skip
    assert smtp_server.messages == []


def test_the_packet_teaches_the_order_version_the_patient_follows_after_an_amendment(
    db_session, billed
):
    """Order version 2 waits for signature with a new force: the packet's instructions keep
    the force of order version 1, whose signature the claim was billed on."""
    from dme_service.services.followed_order import packet_plan
    from dme_service.store.cases import parsed_and_decided

    case = _submitted(db_session, billed)
    _amend(db_session, billed, case)
    case = _force(db_session, billed, _fresh(db_session, case.id), 10)
    parsed, _ = parsed_and_decided(case)
    plan = packet_plan(db_session, case, parsed, "America/Chicago")
    assert parsed.request.force_lb == 10
    assert plan.changing and plan.order_version == 1 and plan.request.force_lb == 12
    assert plan.signature is not None
    case = _sign(db_session, billed, case)  # order version 2 signed: the patient follows it
    parsed, _ = parsed_and_decided(case)
    plan = packet_plan(db_session, case, parsed, "America/Chicago")
    assert not plan.changing and plan.order_version == 2 and plan.request.force_lb == 10
