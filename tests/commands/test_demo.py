"""`dme-service demo`: the demo clinic, one user per role, six cases with their decisions."""

from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from stdnum import luhn

from dme_service import audit_verify
from dme_service.case.parse import parse
from dme_service.cli import main
from dme_service.commands.db import upgrade
from dme_service.commands.demo import DEMO_USERS, demo_documents, seed, shift_dates
from dme_service.db import get_engine
from dme_service.models import AuditEvent, Base, Case, Clinic, DecisionRecord, Patient, User
from dme_service.rules.engine import evaluate
from dme_service.services.accounts.passwords import password_problems, verify_password
from dme_service.store.cases import to_document

TODAY = date(2026, 11, 23)
EXPECTED = {
    "01-medicare-over-door-eligible": ("eligible", "E0860", []),
    "02-medicare-e0849-25-lb": ("eligible", "E0849", ["KX"]),
    "03-aetna-over-door-eligible": ("eligible", "E0860", []),
    "04-uhc-commercial-not-covered": ("not_covered", None, []),
    "05-anthem-contraindicated": ("contraindicated", None, []),
    "06-connectcare-incomplete-draft": ("incomplete", None, []),
}


@pytest.mark.parametrize(("name", "doc"), demo_documents(), ids=[n for n, _ in demo_documents()])
def test_each_demo_document_decides_as_its_name_says(name, doc):
    decision = evaluate(parse(doc, today=TODAY)).as_json()
    expected = EXPECTED[name]
    assert (decision["status"], decision["recommended_hcpcs"], decision["modifiers"]) == expected


def test_demo_covers_the_payers_the_issue_asks_for():
    payers = {doc["payer"] for _, doc in demo_documents()}
    assert {"medicare", "aetna", "uhc_commercial"} <= payers and len(demo_documents()) == 6


@pytest.fixture
def seeded(db_session):
    passwords = seed(db_session, today=TODAY)
    db_session.commit()
    return passwords


def test_seed_creates_the_clinic_and_one_user_per_role(db_session, seeded):
    clinic = db_session.scalars(select(Clinic)).one()
    roles = sorted(db_session.scalars(select(User.role)))
    assert clinic.name == "Riverside Spine & Physical Therapy" and clinic.phone
    assert roles == ["admin", "billing", "clinician", "practitioner"]


def test_demo_practitioner_may_sign_with_a_valid_npi(db_session, seeded):
    md = db_session.scalars(select(User).where(User.role == "practitioner")).one()
    assert md.may_sign and luhn.is_valid("80840" + md.npi)


def test_demo_clinician_is_a_pt_who_may_not_sign(db_session, seeded):
    pt = db_session.scalars(select(User).where(User.email == "pt@demo.clinic")).one()
    assert (pt.credential, pt.may_sign) == ("PT", False)


def test_each_password_is_printed_value_and_passes_the_policy(db_session, seeded):
    for user in db_session.scalars(select(User)):
        password = seeded[user.email]
        assert verify_password(user.password_hash, password)
        assert password_problems(password, email=user.email) == []


def test_passwords_differ_between_seeds(tmp_path, seeded):
    """No fixed default: a second demo database gets other passwords."""
    engine = create_engine("sqlite:///" + str(tmp_path / "second.sqlite3"))
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        again = seed(session, today=TODAY)
    engine.dispose()
    assert set(again.values()).isdisjoint(seeded.values())


def test_six_cases_stored_each_with_its_decision(db_session, seeded):
    cases = db_session.scalars(select(Case).order_by(Case.id)).all()
    statuses = [case.status for case in cases]
    assert statuses == [expected[0] for expected in EXPECTED.values()]
    for case in cases:
        (record,) = db_session.scalars(
            select(DecisionRecord).where(DecisionRecord.case_id == case.id)
        )
        # Routing an eligible case to its practitioner moves billing_state after the decision.
        assert record.status == case.status and record.case_version <= case.version


def test_eligible_demo_cases_wait_for_the_practitioners_signature(db_session, seeded):
    cases = list(db_session.scalars(select(Case)))
    states = [(case.status, case.billing_state) for case in cases]
    assert ("eligible", "awaiting_signature") in states
    # Issue 17: one Medicare claim comes signed and ready to submit (claims export --ready).
    ready = [c for c in cases if c.billing_state == "ready_to_submit"]
    assert [(c.status, c.payer) for c in ready] == [("eligible", "medicare")]
    assert all(
        state in ("awaiting_signature", "ready_to_submit")
        for status, state in states
        if status == "eligible"
    )


def test_the_ready_demo_claim_exports_as_a_valid_837p(db_session, seeded):
    from dme_service.claims import scrub
    from dme_service.models import Clinic
    from dme_service.services.billing import money as claim_money

    (case,) = db_session.scalars(select(Case).where(Case.billing_state == "ready_to_submit"))
    record = claim_money.claim_record(db_session, case)
    facts = claim_money.claim_facts(db_session, case, record)
    provider = claim_money.provider_facts(db_session, db_session.scalars(select(Clinic)).one())
    assert scrub.scrub(provider, [facts], date.today()) == ([facts], [])
    assert facts.total_charge == 150 and facts.lines[0].modifiers == ("NU",)


def test_stored_rows_rebuild_a_document_with_the_same_decision(db_session, seeded):
    for case in db_session.scalars(select(Case)):
        decision = evaluate(parse(to_document(case), today=TODAY + timedelta(days=1)))
        assert decision.status == case.status


def test_seed_dates_put_the_latest_trial_two_weeks_ago(db_session, seeded):
    for case in db_session.scalars(select(Case)):
        assert max(trial.date for trial in case.trials) == TODAY - timedelta(days=14)


def test_seeding_is_audited_and_the_chain_verifies(db_session, seeded):
    result = audit_verify.verify(db_session)
    patients = db_session.scalar(select(func.count(Patient.id)))
    routed = db_session.scalar(select(func.count(Case.id)).where(Case.status == "eligible"))
    # One row for the clinic and each of its 4 users (the same path as `clinic create` and
    # `user add`), one per stored case and one per case routed for signature, then the demo's ready
    # claim: its signature and its move to ready to submit (issue 17).
    actions = list(
        db_session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.action.not_in(
                    ("demo.seed", "billing.awaiting_signature", "clinic.create", "user.create")
                )
            )
        )
    )
    assert {"case.sign", "billing.ready_to_submit"} <= set(actions)
    ready = len(actions)
    assert (result.ok, result.rows, patients) == (True, 1 + 4 + 6 + routed + ready, 6)


def test_shift_dates_moves_the_timeline_but_not_the_birthday():
    name, doc = demo_documents()[0]
    shifted = shift_dates(doc, date(2030, 1, 15))
    delta = date(2030, 1, 1) - max(date.fromisoformat(t["date"]) for t in doc["trials"])
    assert shifted["patient"]["date_of_birth"] == doc["patient"]["date_of_birth"]
    assert (
        date.fromisoformat(shifted["onset_date"]) == date.fromisoformat(doc["onset_date"]) + delta
    )


@pytest.fixture
def migrated_url(empty_app, database_url, monkeypatch):
    upgrade(get_engine(empty_app))
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    return database_url


def test_demo_command_prints_each_login_once(migrated_url, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for spec in DEMO_USERS:
        assert out.count(spec.email) == 1


def test_demo_if_empty_skips_a_seeded_database(migrated_url, capsys):
    assert main(["demo", "--if-empty"]) == 0
    capsys.readouterr()
    assert main(["demo", "--if-empty"]) == 0
    assert "nothing seeded" in capsys.readouterr().out


def test_demo_without_if_empty_refuses_a_seeded_database(migrated_url, capsys):
    assert main(["demo"]) == 0
    assert main(["demo"]) == 1
    assert "not empty" in capsys.readouterr().err


def test_demo_on_a_database_without_schema_says_to_upgrade(
    empty_app, database_url, monkeypatch, capsys
):
    monkeypatch.setenv("DME_DATABASE_URL", database_url)
    assert main(["demo"]) == 1
    assert "db upgrade" in capsys.readouterr().err
