"""The patient's plan: what the instructions page states about the order behind it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dme_service.services.patient.home_plan import home_plan
from services.patient_cases import a_stored_case, sign


def test_the_signature_day_is_the_clinics_day_as_on_the_signed_order(db_session, clinic, make_user):
    # Signed at 7:30 pm in Chicago, which is already the next day in UTC: the patient's page
    # must give the day the signed order prints, not the server's.
    clinic.timezone = "America/Chicago"
    db_session.commit()
    case = a_stored_case(db_session, clinic, make_user("clinician", credential="PT"))
    sign(db_session, case, make_user("practitioner", credential="MD"),
         when=datetime(2026, 11, 3, 1, 30, tzinfo=UTC))  # fmt: skip
    plan = home_plan(db_session, case)
    assert plan.signed
    assert plan.signed_on == date(2026, 11, 2)
