"""Cases: optimistic locking, ordered children, JSON columns, RESTRICT and retention triggers."""

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dme_service.db import get_engine
from dme_service.models import Case, Diagnosis, Patient, ScreeningAnswer, Trial


@pytest.fixture
def clinician(make_user):
    return make_user("clinician", credential="PT")


def a_case(db_session, clinic, clinician, **fields) -> Case:
    patient = Patient(
        clinic_id=clinic.id, name="Test Patient", date_of_birth=date(1960, 1, 2), member_id="M1"
    )
    case = Case(
        clinic_id=clinic.id,
        patient=patient,
        author_id=clinician.id,
        created_by_id=clinician.id,
        updated_by_id=clinician.id,
        **fields,
    )
    db_session.add(case)
    db_session.commit()
    return case


def a_trial(position: int, day: int) -> Trial:
    return Trial(
        position=position,
        date=date(2026, 10, day),
        device="E0860",
        force_lb=12.5,
        minutes=15,
        pain_before=7,
        pain_after=3,
        peripheralization=False,
        new_neuro_signs=False,
    )


def test_a_new_case_is_a_draft_at_version_one(db_session, clinic, clinician):
    case = a_case(db_session, clinic, clinician)
    assert (case.status, case.billing_state, case.version, case.payer) == (
        "draft",
        "draft",
        1,
        None,
    )


def test_each_update_increments_the_version(db_session, clinic, clinician):
    case = a_case(db_session, clinic, clinician)
    case.payer = "medicare"
    db_session.commit()
    assert case.version == 2


def test_a_stale_edit_is_refused(app, db_session, clinic, clinician):
    """Two editors load version 1; the second save finds the row moved on (DB-3)."""
    case_id = a_case(db_session, clinic, clinician).id
    engine = get_engine(app)
    with (
        Session(engine, expire_on_commit=False) as first,
        Session(engine, expire_on_commit=False) as second,
    ):
        # Each editor's page load is its own short transaction, as in the web app.
        mine = first.get(Case, case_id)
        first.commit()
        theirs = second.get(Case, case_id)
        second.commit()
        mine.payer = "aetna"
        first.commit()
        theirs.payer = "cigna"
        with pytest.raises(StaleDataError):
            second.commit()


def test_trials_and_diagnoses_keep_their_order(db_session, clinic, clinician):
    case = a_case(db_session, clinic, clinician)
    case.trials = [a_trial(1, 20), a_trial(0, 5)]
    case.diagnoses = [Diagnosis(position=1, code="M54.12"), Diagnosis(position=0, code="M50.122")]
    db_session.commit()
    db_session.expire_all()
    assert [t.date.day for t in case.trials] == [5, 20]
    assert [d.code for d in case.diagnoses] == ["M50.122", "M54.12"]


def test_json_columns_round_trip(db_session, clinic, clinician):
    prior = [{"hcpcs": "E0860", "date": "2023-05-01"}]
    case = a_case(
        db_session, clinic, clinician, also_requested=["inversion_table"], prior_devices=prior
    )
    db_session.expire_all()
    assert (case.also_requested, case.prior_devices) == (["inversion_table"], prior)


def test_a_screening_key_is_answered_once_per_case(db_session, clinic, clinician):
    case = a_case(db_session, clinic, clinician)
    db_session.add_all(
        [
            ScreeningAnswer(case_id=case.id, key="glaucoma", answer=False),
            ScreeningAnswer(case_id=case.id, key="glaucoma", answer=True),
        ]
    )
    with pytest.raises(IntegrityError):
        db_session.commit()


def test_a_patient_with_cases_cannot_be_deleted(db_session, clinic, clinician):
    """FKs are ON DELETE RESTRICT (RET-1): no cascade destroys a claim's evidence."""
    patient_id = a_case(db_session, clinic, clinician).patient_id
    with pytest.raises(IntegrityError):
        db_session.execute(delete(Patient).where(Patient.id == patient_id))
        db_session.commit()


@pytest.mark.parametrize(
    "fields",
    [{"retain_until": date.today() + timedelta(days=1)}, {"legal_hold": True}],
    ids=["within retention", "on legal hold"],
)
def test_raw_delete_of_a_retained_case_is_refused(db_session, clinic, clinician, fields):
    case_id = a_case(db_session, clinic, clinician, **fields).id
    with pytest.raises(DBAPIError, match="retention"):
        db_session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": case_id})
    db_session.rollback()


def test_a_case_past_retention_can_be_purged(db_session, clinic, clinician):
    case = a_case(db_session, clinic, clinician, retain_until=date.today() - timedelta(days=1))
    db_session.execute(text("DELETE FROM cases WHERE id = :id"), {"id": case.id})
    db_session.commit()
    assert db_session.scalar(select(Case.id)) is None
