"""Printed instructions from the patient's pages and, with the link's QR code, from the
clinician's "link created" page (the documents layer's PDF, bounded, audited)."""

from __future__ import annotations

import re

import pytest
from documents.pdfs import text as pdf_text
from services.patient_cases import a_stored_case, change_after_signing, sign
from sqlalchemy import select

from dme_service.models import AuditEvent
from dme_service.services.patient import links as patient_links


@pytest.fixture
def case(db_session, clinic, clinician_client, doctor):
    return a_stored_case(db_session, clinic, clinician_client[1], practitioner=doctor)


def patient_client(app, db_session, case, user, lang="en"):
    _, raw = patient_links.create_link(db_session, case, user, lang=lang)
    client = app.test_client()
    assert client.get(f"/p?t={raw}").status_code == 303
    return client


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "dose"), [("en", "Weight: 12 pounds."), ("es", "Peso: 12")])
def test_patient_downloads_the_printed_instructions(
    app, db_session, case, clinician_client, lang, dose
):
    client = patient_client(app, db_session, case, clinician_client[1], lang=lang)
    page = client.get("/patient/instructions").get_data(as_text=True)
    assert "/patient/instructions.pdf" in page
    response = client.get(f"/patient/instructions.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="instructions-{lang}.pdf"'
    )
    assert dose in pdf_text(response.data)
    printed = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "instructions.print"))
    assert (printed.role, printed.object_id) == ("patient", str(case.id))


def test_no_print_link_when_the_case_cannot_make_instructions(
    app, db_session, clinic, clinician_client
):
    case = a_stored_case(db_session, clinic, clinician_client[1], sessions_per_day=None)
    client = patient_client(app, db_session, case, clinician_client[1])
    assert "instructions.pdf" not in client.get("/patient/instructions").get_data(as_text=True)
    response = client.get("/patient/instructions.pdf")
    assert response.status_code == 303
    assert response.headers["Location"] == "/patient/instructions"


def test_the_pdf_needs_the_patient_cookie(client):
    assert client.get("/patient/instructions.pdf").status_code == 404


@pytest.mark.slow
def test_clinician_prints_the_new_links_qr_code(db_session, case, clinician_client):
    client, _ = clinician_client
    html = client.post(f"/cases/{case.id}/patient-link", data={"lang": "en"}).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = client.post(f"/cases/{case.id}/patient-link/print", data={"token": token})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Scan to read this on your phone." in pdf_text(response.data)
    printed = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "instructions.print"))
    assert printed.role == "clinician"


def test_printing_a_stale_token_is_refused(db_session, case, clinician_client):
    client, user = clinician_client
    _, old = patient_links.create_link(db_session, case, user)
    patient_links.create_link(db_session, case, user)  # the old one stops working
    response = client.post(f"/cases/{case.id}/patient-link/print", data={"token": old})
    assert response.status_code == 409
    assert "is no longer the case" in response.get_data(as_text=True)


@pytest.mark.slow
def test_the_printed_instructions_keep_the_signed_dose_while_a_change_waits(
    app, db_session, case, clinician_client, doctor
):
    sign(db_session, case, doctor)
    change_after_signing(db_session, case, clinician_client[1], minutes=25)
    client = patient_client(app, db_session, case, clinician_client[1])
    text = " ".join(pdf_text(client.get("/patient/instructions.pdf").data).split())
    assert "Time: 15 minutes." in text and "25 minutes" not in text
    assert "Your plan is being changed. Keep to the plan below until your clinic calls you." in text
    assert "Your doctor signed it on November 2, 2026." in text
    assert "has not signed" not in text
