"""The claim state machine: only allowed moves, each recorded and audited; exactly one of many
concurrent moves wins (security.md DB-3); the readiness checklist gates submission and payment.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

from dme_service.db import get_session
from dme_service.models import AuditEvent, BillingEvent, Case, Signature, Trial, User
from dme_service.rules.claim import BILLING_STATES, SUBMISSIONS, SYSTEM_MOVES, TRANSITIONS
from dme_service.services import after_save, signing
from dme_service.services.billing import claim as billing
from dme_service.services.billing import denials as billing_denials
from dme_service.services.billing import money as claim_money
from dme_service.services.billing import queue as billing_queue
from dme_service.services.billing import queue_csv as billing_csv
from dme_service.services.billing import readiness
from dme_service.services.billing.input import CODED_STATES
from dme_service.store.cases import CaseNotFound
from dme_service.store.signed_content import check_signature
from services.claim_cases import CASE_DOCUMENT, fake_render, stored_case

DELIVERY = {"date": "2026-11-20", "method": "in_clinic", "received_by": "Jane Q. Doe"}
SERVICE_DAY = date(2026, 11, 20)


@pytest.fixture
def quick_render(monkeypatch):
    monkeypatch.setattr(signing, "_render_signed", fake_render)


@pytest.fixture
def people(make_user):
    return {
        "clinician": make_user("clinician", credential="PT"),
        "practitioner": make_user("practitioner", credential="MD"),
        "billing": make_user("billing"),
        "admin": make_user("admin"),
    }


def signed_case(session, people, **changes) -> Case:
    case = stored_case(session, people["clinician"], people["practitioner"], **changes)
    signing.sign(session, case.id, people["practitioner"], expected_version=case.version)
    session.expire_all()
    return session.get(Case, case.id)


def move(session, case, to_state, user, **kwargs):
    session.expire_all()
    version = session.get(Case, case.id).version
    if to_state == "ready_to_submit":
        kwargs.setdefault("service_date", SERVICE_DAY)
    return billing.transition(session, case.id, to_state, user, expected_version=version, **kwargs)


# --- the state machine --------------------------------------------------------------------


def test_random_moves_never_reach_an_illegal_state_and_every_move_is_audited(
    app, db_session, people, quick_render
):
    class ClaimMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.case = stored_case(db_session, people["clinician"], people["practitioner"])
            self.state, self.signed, self.delivered = "awaiting_signature", False, False
            self.moves = 1  # the routing draft -> awaiting_signature

        @rule(
            to_state=st.sampled_from(BILLING_STATES),
            role=st.sampled_from(sorted(people)),
            carc=st.sampled_from([(), ("50",), ("16", "4"), ("999",)]),
            delivery=st.booleans(),
        )
        def try_a_move(self, to_state, role, carc, delivery):
            expected = self.expected_error(to_state, role, carc, delivery)
            kwargs = {"carc": carc, "delivery": DELIVERY if delivery else None}
            if expected is None:
                event = move(db_session, self.case, to_state, people[role], **kwargs)
                assert (event.from_state, event.to_state) == (self.state, to_state)
                self.state, self.moves = to_state, self.moves + 1
                self.delivered = self.delivered or delivery
            else:
                with pytest.raises(expected):
                    move(db_session, self.case, to_state, people[role], **kwargs)

        def expected_error(self, to_state, role, carc, delivery):
            if carc and to_state not in CODED_STATES or "999" in carc:
                return billing.InvalidInput
            if to_state == "denied" and not carc:
                return billing.InvalidInput
            if to_state not in TRANSITIONS[self.state]:
                return billing.IllegalTransition
            team = billing.CLINICAL_TEAM if to_state == "awaiting_signature" else billing.CLAIM_TEAM
            if role not in team:
                return billing.NotPermitted
            if to_state in SUBMISSIONS and not self.signed:
                return billing.NotReady
            if to_state == "paid" and not (delivery or self.delivered):
                return billing.NotReady
            return None

        @rule()
        def practitioner_signs(self):
            db_session.expire_all()
            case = db_session.get(Case, self.case.id)
            if self.state == "awaiting_signature" and not self.signed:
                signing.sign(
                    db_session, case.id, people["practitioner"], expected_version=case.version
                )
                self.signed = True
                self.state, self.moves = "signed", self.moves + 1  # signing moves the claim
            else:
                with pytest.raises(signing.CannotSign):
                    signing.sign(
                        db_session, case.id, people["practitioner"], expected_version=case.version
                    )

        @rule(minutes=st.sampled_from([10, 15, 20]))
        def clinician_edits_the_trial(self, minutes):
            db_session.expire_all()
            case = db_session.get(Case, self.case.id)
            before = case.trials[0].minutes
            case.trials[0].minutes = minutes
            after_save.case_changed(db_session, case, people["clinician"])
            db_session.commit()
            if minutes != before and self.signed:
                self.signed = False
                if self.state in ("signed", "ready_to_submit"):
                    self.state, self.moves = "awaiting_signature", self.moves + 1

        @rule()
        def a_stale_form_changes_nothing(self):
            db_session.expire_all()
            version = db_session.get(Case, self.case.id).version
            with pytest.raises(billing.StaleCase):
                billing.transition(
                    db_session,
                    self.case.id,
                    "closed",
                    people["billing"],
                    expected_version=version - 1,
                )

        @invariant()
        def the_stored_state_is_the_model_state(self):
            db_session.expire_all()
            assert db_session.get(Case, self.case.id).billing_state == self.state

        @invariant()
        def every_move_is_an_allowed_edge_recorded_and_audited(self):
            events = billing.history(db_session, self.case.id)
            assert len(events) == self.moves
            for before, after in zip(events, events[1:], strict=False):
                assert after.from_state == before.to_state
            for event in events[1:]:
                edge = (event.from_state, event.to_state)
                assert event.to_state in TRANSITIONS[event.from_state] or (edge in SYSTEM_MOVES)
                assert event.user_id is not None and event.at is not None
            audited = db_session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.object_type == "case",
                    AuditEvent.object_id == str(self.case.id),
                    AuditEvent.action.in_([f"billing.{s}" for s in BILLING_STATES]),
                )
            )
            assert audited == self.moves

    run_state_machine_as_test(
        ClaimMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=14,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


# --- concurrency --------------------------------------------------------------------------


def test_of_eight_concurrent_moves_of_one_case_exactly_one_succeeds(
    app, db_session, people, quick_render
):
    case = signed_case(db_session, people)
    case_id, version, billing_id = case.id, case.version, people["billing"].id
    # SQLite: an open transaction here (even a lazy load after it) would hold the write lock.
    db_session.rollback()
    results = []
    barrier = threading.Barrier(8)

    def worker():
        with app.app_context():
            session = get_session()
            barrier.wait()
            try:
                user = session.get(User, billing_id)
                billing.transition(
                    session,
                    case_id,
                    "ready_to_submit",
                    user,
                    expected_version=version,
                    service_date=SERVICE_DAY,
                )
                results.append("moved")
            except billing.StaleCase as error:
                results.append(("stale", error.current_state))
            except Exception as error:  # noqa: BLE001 - any other outcome fails the test below
                results.append(repr(error))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results.count("moved") == 1, results
    assert results.count(("stale", "ready_to_submit")) == 7, results
    db_session.expire_all()
    moves = db_session.scalar(
        select(func.count(BillingEvent.id)).where(
            BillingEvent.case_id == case_id, BillingEvent.to_state == "ready_to_submit"
        )
    )
    assert moves == 1


# --- the rules of single moves ------------------------------------------------------------


def test_an_unsigned_claim_cannot_be_marked_ready_and_says_what_it_waits_for(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    with pytest.raises(billing.IllegalTransition) as refused:
        move(db_session, case, "ready_to_submit", people["billing"])
    assert "it can become signed once the practitioner signs" in refused.value.message


def test_signing_moves_the_claim_to_signed_for_billing_review(db_session, people, quick_render):
    case = signed_case(db_session, people)
    assert case.billing_state == "signed"
    event = billing.history(db_session, case.id)[-1]
    assert (event.from_state, event.to_state) == ("awaiting_signature", "signed")
    assert event.user_id == people["practitioner"].id


def test_ready_to_submit_is_refused_with_what_is_missing_in_words(db_session, people, quick_render):
    case = signed_case(db_session, people)
    signature = db_session.scalars(select(Signature).where(Signature.case_id == case.id)).one()
    signature.content_sha256 = "0" * 64  # changed outside the application
    db_session.commit()
    with pytest.raises(billing.NotReady) as refused:
        move(db_session, case, "ready_to_submit", people["billing"])
    keys = {item.key for item in refused.value.missing}
    assert keys == {"signature"}  # the SWO's order date and signature follow from it
    assert "no longer matches" in refused.value.message


def test_ready_to_submit_needs_a_date_of_service_and_says_so_at_the_field(
    db_session, people, quick_render
):
    case = signed_case(db_session, people)
    with pytest.raises(billing.InvalidInput) as refused:
        move(db_session, case, "ready_to_submit", people["billing"], service_date=None)
    assert [p.field for p in refused.value.errors] == ["service_date"]
    assert "Give the date of service" in refused.value.errors[0].message
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "signed"


def test_a_date_of_service_typed_with_the_move_is_the_claims(db_session, people, quick_render):
    case = signed_case(db_session, people)
    move(db_session, case, "ready_to_submit", people["billing"], service_date=SERVICE_DAY)
    db_session.expire_all()
    record = claim_money.claim_record(db_session, db_session.get(Case, case.id))
    assert record.service_date == SERVICE_DAY


def test_proof_of_delivery_gives_the_date_of_service(db_session, people, quick_render):
    case = signed_case(db_session, people)
    move(
        db_session, case, "ready_to_submit", people["billing"], service_date=None, delivery=DELIVERY
    )
    db_session.expire_all()
    assert db_session.get(Case, case.id).billing_state == "ready_to_submit"


def test_a_future_date_of_service_is_refused(db_session, people, quick_render):
    case = signed_case(db_session, people)
    with pytest.raises(billing.InvalidInput) as refused:
        move(db_session, case, "ready_to_submit", people["billing"], service_date=date(2999, 1, 1))
    assert refused.value.errors[0].message == "The date of service is in the future."


def test_a_clinician_may_not_move_a_claim_state(db_session, people, quick_render):
    case = signed_case(db_session, people)
    with pytest.raises(billing.NotPermitted):
        move(db_session, case, "ready_to_submit", people["clinician"])


def test_a_denial_needs_a_known_carc_and_keeps_codes_and_note(db_session, people, quick_render):
    case = signed_case(db_session, people)
    for state in ("ready_to_submit", "submitted"):
        move(db_session, case, state, people["billing"])
    with pytest.raises(billing.InvalidInput) as unknown:
        move(db_session, case, "denied", people["billing"], carc=["123456"])
    assert unknown.value.errors[0].field == "carc"
    event = move(
        db_session, case, "denied", people["billing"], carc="50, 16", rarc=["m3"], note="LCD"
    )
    assert (event.carc_codes, event.rarc_codes, event.note) == (["50", "16"], ["M3"], "LCD")


def test_paid_needs_proof_of_delivery(db_session, people, quick_render):
    case = signed_case(db_session, people)
    for state in ("ready_to_submit", "submitted"):
        move(db_session, case, state, people["billing"])
    with pytest.raises(billing.NotReady) as refused:
        move(db_session, case, "paid", people["billing"])
    assert [item.key for item in refused.value.missing] == ["delivery"]
    move(db_session, case, "paid", people["billing"], delivery=DELIVERY)
    assert readiness.recorded_delivery(db_session, case.id)["received_by"] == "Jane Q. Doe"


@pytest.mark.parametrize(
    ("delivery", "field"),
    [
        ({"date": "yesterday", "method": "in_clinic", "received_by": "A"}, "delivery.date"),
        ({"date": "2026-11-20", "method": "drone", "received_by": "A"}, "delivery.method"),
        ({"date": "2026-11-20", "method": "courier", "received_by": "  "}, "delivery.received_by"),
    ],
)
def test_a_bad_proof_of_delivery_names_the_field(db_session, people, delivery, field):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    with pytest.raises(billing.InvalidInput) as refused:
        move(db_session, case, "paid", people["billing"], delivery=delivery)
    assert field in [error.field for error in refused.value.errors]


def test_a_future_delivery_date_is_refused(db_session, people):
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(billing.InvalidInput):
        move(db_session, case, "paid", people["billing"], delivery={**DELIVERY, "date": tomorrow})


def test_another_clinics_case_is_not_found(db_session, people, make_user):
    from dme_service.models import Clinic

    case = stored_case(db_session, people["clinician"], people["practitioner"])
    other = Clinic(name="Elsewhere")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("billing", clinic_id=other.id)
    with pytest.raises(CaseNotFound):
        move(db_session, case, "ready_to_submit", stranger)


# --- readiness items ----------------------------------------------------------------------


def _item(session, case, key):
    session.expire_all()
    items = readiness.checklist(session, session.get(Case, case.id))
    return next(item for item in items if item.key == key)


def test_a_prior_unit_within_five_years_needs_a_review_that_a_later_edit_undoes(
    db_session, people, quick_render
):
    case = signed_case(db_session, people, prior_devices=[{"hcpcs": "E0860", "date": "2023-05-01"}])
    item = _item(db_session, case, "same_or_similar")
    assert not item.met and "E0860 dated May 1, 2023" in item.detail
    billing.review(db_session, case.id, "same_or_similar", people["billing"], note="Lost; police")
    assert _item(db_session, case, "same_or_similar").met
    row = db_session.get(Case, case.id)
    row.onset_date = date(2026, 6, 1)
    db_session.commit()
    assert not _item(db_session, case, "same_or_similar").met


def test_an_excludes1_pair_is_met_only_after_review(db_session, people, quick_render):
    case = signed_case(db_session, people, diagnoses=["M50.122", "M54.12"])
    assert not _item(db_session, case, "excludes1").met
    with pytest.raises(billing.InvalidInput):
        billing.review(db_session, case.id, "excludes1", people["billing"], note=" ")
    billing.review(db_session, case.id, "excludes1", people["billing"], note="Dropped M54.12")
    assert _item(db_session, case, "excludes1").met


def test_ga_without_an_abn_is_not_ready(db_session, people):
    request = {**CASE_DOCUMENT["request"], "hcpcs": "E0849", "force_lb": 15}
    case = stored_case(
        db_session, people["clinician"], people["practitioner"], request=request, abn_on_file=True
    )
    assert _item(db_session, case, "abn").met
    row = db_session.get(Case, case.id)
    row.abn_on_file = False
    db_session.commit()
    assert "GZ" in _item(db_session, case, "abn").detail


def test_a_prn_order_is_named_in_the_checklist(db_session, people):
    request = {**CASE_DOCUMENT["request"], "frequency_text": "PRN"}
    case = stored_case(db_session, people["clinician"], people["practitioner"], request=request)
    item = _item(db_session, case, "frequency")
    assert not item.met and "'PRN'" in item.detail


# --- reports ------------------------------------------------------------------------------


def _deny(session, people, payer, codes, **changes):
    case = signed_case(session, people, payer=payer, **changes)
    for state in ("ready_to_submit", "submitted"):
        move(session, case, state, people["billing"])
    move(session, case, "denied", people["billing"], carc=codes)
    return case


def test_denials_are_counted_by_reason_and_by_payer_in_the_range(db_session, people, quick_render):
    _deny(db_session, people, "medicare", ["50"])
    _deny(db_session, people, "aetna", ["50", "16"])
    today = date.today()
    report = billing_denials.denial_report(db_session, people["billing"], today, today)
    assert report.total == 2
    assert [(code, count) for code, _, count in report.by_reason] == [("50", 2), ("16", 1)]
    assert report.by_reason[0][1].startswith("These are non-covered services")
    assert report.by_payer == [("aetna", 1), ("medicare", 1)]
    earlier = today - timedelta(days=30)
    empty = billing_denials.denial_report(db_session, people["billing"], earlier, earlier)
    assert empty.total == 0


def test_the_csv_export_is_audited_and_cannot_start_a_formula(db_session, people):
    stored_case(
        db_session, people["clinician"], people["practitioner"], patient_name="=HYPERLINK(1)"
    )
    text = billing_csv.queue_csv(db_session, people["billing"])
    assert text.splitlines()[0].startswith('"Case","Patient","Member id"')
    assert "'=HYPERLINK(1)" in text
    exports = db_session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "billing.queue.export")
    )
    assert exports == 1


def test_billing_reads_never_carry_the_clinical_notes(db_session, people, quick_render):
    canary = "CANARY-CLINICAL-NOTE-7F3K"
    case = signed_case(db_session, people, notes=canary)
    rows = billing_queue.queue(db_session, people["billing"])
    claim = billing_queue.claim(db_session, case.id, people["billing"])
    dumped = repr([row.checklist for row in rows]) + repr(claim.row.checklist)
    assert canary not in dumped
    assert canary not in billing_csv.queue_csv(db_session, people["billing"])


def test_trials_changed_by_raw_sql_void_the_signature_on_the_next_save(
    db_session, people, quick_render
):
    case = signed_case(db_session, people)
    trial = db_session.scalars(select(Trial).where(Trial.case_id == case.id)).first()
    db_session.execute(Trial.__table__.update().where(Trial.id == trial.id).values(pain_after=2))
    db_session.commit()
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    assert not check_signature(db_session, row).valid
    voided = after_save.case_changed(db_session, row, people["clinician"])
    db_session.commit()
    assert voided is not None and voided.voided_at is not None


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("Doe;=HYPERLINK(CHAR(104)&D2)", "Doe;'=HYPERLINK(CHAR(104)&D2)"),
        ("Roe\t=1+1", "Roe\t'=1+1"),
        ("\x00=1+1", "'\x00=1+1"),
        ("Poe,@SUM(1+1)", "Poe,'@SUM(1+1)"),
        ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
    ],
)
def test_pentest_l3_no_cell_can_start_a_formula_after_a_separator_or_nul(value, cell):
    """L3: `;`, tab and a leading NUL got past the first-character prefix."""
    assert billing_csv._cell(value) == cell


def test_pentest_l3_every_csv_cell_is_quoted(db_session, people):
    stored_case(db_session, people["clinician"], people["practitioner"], patient_name="Doe;=1+1")
    text = billing_csv.queue_csv(db_session, people["billing"])
    row = text.splitlines()[1]
    assert '"Doe;\'=1+1"' in row
    assert row.startswith('"') and row.endswith('"')
    assert row.count('","') == len(billing_csv.CSV_COLUMNS) - 1
