"""Users and clinics: e-mail normalisation, who may sign, uniqueness."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dme_service.models import Clinic, User


def test_email_is_stored_lower_case(db_session, make_user):
    make_user("admin", email="  Admin@Demo.CLINIC ")
    stored = db_session.scalars(select(User.email)).one()
    assert stored == "admin@demo.clinic"


def test_two_users_cannot_share_an_email(db_session, make_user):
    make_user("billing", email="same@test.clinic")
    with pytest.raises(IntegrityError):
        make_user("admin", email="SAME@test.clinic")


@pytest.mark.parametrize(
    ("credential", "has_npi", "may_sign"),
    [
        ("MD", True, True),
        ("NP", True, True),
        ("CNS", True, True),
        ("MD", False, False),
        ("PT", True, False),
        ("DC", True, False),
        (None, False, False),
    ],
    ids=lambda value: str(value),
)
def test_may_sign_needs_a_signing_credential_and_an_npi(credential, has_npi, may_sign):
    user = User(credential=credential, npi="1234567893" if has_npi else None)
    assert user.may_sign is may_sign


def test_clinic_defaults(db_session):
    clinic = Clinic(name="Northside PT")
    db_session.add(clinic)
    db_session.commit()
    assert (clinic.patient_link_days, clinic.default_lang) == (90, "en")


def test_created_at_is_timezone_aware_utc_after_reload(db_session, make_user):
    user_id = make_user("clinician", credential="PT").id
    db_session.expire_all()
    created = db_session.get(User, user_id).created_at
    assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0
