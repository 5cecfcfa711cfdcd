"""The clinician's follow-up letter from the "Patient at home" card: a PDF attachment of the
home log (bounded render, audited as a print), clinical roles only, one clinic's cases only."""

from __future__ import annotations

import pytest
from documents.pdfs import text as pdf_text
from services.patient_cases import CANARY, a_stored_case, log_sessions, sign
from sqlalchemy import select

from dme_service.models import AuditEvent, Clinic


@pytest.fixture
def case(db_session, clinic, clinician_client, doctor):
    return a_stored_case(db_session, clinic, clinician_client[1], practitioner=doctor)


@pytest.mark.slow
def test_clinician_downloads_the_followup_letter(db_session, case, clinician_client):
    client, user = clinician_client
    today = log_sessions(db_session, case, user)
    card = client.get(f"/cases/{case.id}/patient-link").get_data(as_text=True)
    assert f"/cases/{case.id}/followup-letter" in card
    response = client.post(f"/cases/{case.id}/followup-letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="followup-{case.id}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert CANARY in text and "Dr. Samuel Greene, MD" in text
    assert "The patient logged 3 home sessions" in text
    assert "3 of them were logged, an adherence of 50%" in text
    assert "was 7 at the first logged session and 3 at the last: 4 points lower at the end." in text
    day = f"{today:%B} {today.day}, {today.year}"
    assert f"On {day} the patient reported arm pain" in text
    printed = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "followup.print"))
    assert (printed.role, printed.object_id) == ("clinician", str(case.id))
    assert printed.patient_id == case.patient_id


@pytest.mark.slow
def test_practitioner_downloads_a_letter_with_no_sessions(
    db_session, clinic, case, signed_in, doctor
):
    sign(db_session, case, doctor)
    client, _ = signed_in("practitioner", credential="MD")
    response = client.post(f"/cases/{case.id}/followup-letter")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "No home traction sessions were logged" in text
    assert "adherence" not in text and "averaged" not in text


def test_billing_is_refused(db_session, case, signed_in):
    client, _ = signed_in("billing")
    assert client.post(f"/cases/{case.id}/followup-letter").status_code == 403
    assert (
        db_session.scalar(select(AuditEvent).where(AuditEvent.action == "followup.print")) is None
    )


def test_another_clinics_case_does_not_exist(db_session, make_user, signed_in):
    other = Clinic(name="Other Clinic", phone="555-0199")
    db_session.add(other)
    db_session.commit()
    stranger = make_user("clinician", credential="PT", clinic_id=other.id)
    theirs = a_stored_case(db_session, other, stranger)
    client, _ = signed_in("clinician", credential="PT")
    assert client.post(f"/cases/{theirs.id}/followup-letter").status_code == 404
    assert (
        db_session.scalar(select(AuditEvent).where(AuditEvent.action == "followup.print")) is None
    )


def test_a_get_is_not_a_print(case, clinician_client):
    client, _ = clinician_client
    assert client.get(f"/cases/{case.id}/followup-letter").status_code == 405


@pytest.mark.slow
def test_the_letter_gives_the_signed_prescription_and_the_waiting_change_apart(
    db_session, case, clinician_client, doctor
):
    from services.patient_cases import change_after_signing

    client, user = clinician_client
    sign(db_session, case, doctor)
    change_after_signing(db_session, case, user, force_lb=14)
    log_sessions(db_session, case, user)
    text = " ".join(pdf_text(client.post(f"/cases/{case.id}/followup-letter").data).split())
    assert "The home prescription is 12 pounds" in text
    assert "waits for the practitioner's signature (force 12 lb → 14 lb)" in text
