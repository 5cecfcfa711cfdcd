"""Signatures in ink (issue 13): the scan counts as the signature of that case version."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from dme_service.models import AuditEvent, Case
from dme_service.services import after_save, documents, signing, wet_signing
from dme_service.services.billing import claim as billing
from services.claim_cases import stored_case


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("L", (850, 1100), 255).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def case_and_people(db_session, make_user):
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Pat Rivera")
    return stored_case(db_session, clinician, doctor), clinician, doctor


def test_the_type_is_read_from_the_content_not_the_name():
    assert wet_signing.media_type(png_bytes()) == "image/png"
    assert wet_signing.media_type(b"%PDF-1.7 but not really a pdf") is None
    assert wet_signing.media_type(b"<html>") is None
    with pytest.raises(wet_signing.ScanRefused, match="larger than 10 MB"):
        wet_signing.check_file(b"%PDF-" + b"0" * wet_signing.MAX_BYTES)


def test_the_printed_order_has_lines_for_ink(db_session, case_and_people):
    case, clinician, _doctor = case_and_people
    pdf = wet_signing.print_for_ink(db_session, clinician, case.id)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert text.count("For a signature in ink") == 2  # the SWO and the LMN
    assert "Signature: ____" in text


def test_an_uploaded_scan_signs_the_order_and_makes_the_claim_ready(
    db_session, case_and_people, make_user
):
    case, clinician, doctor = case_and_people
    biller = make_user("billing")
    content = png_bytes()
    signature = wet_signing.upload(
        db_session, clinician, case.id, expected_version=case.version, content=content
    )
    assert (signature.method, signature.signer_id, signature.uploaded_by_id) == (
        "wet",
        doctor.id,
        clinician.id,
    )
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    assert signing.check_signature(db_session, row).valid
    assert signature.scan.sha256 == hashlib.sha256(content).hexdigest()
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc())).all()
    assert actions[:2] == ["billing.signed", "case.sign_wet"]
    assert row.billing_state == "signed"
    assert signing.awaiting_signature(db_session, doctor) == []
    # The same readiness as an electronic signature: billing may mark it ready to submit.
    event = billing.transition(
        db_session,
        case.id,
        "ready_to_submit",
        biller,
        expected_version=row.version,
        service_date=date.today() - timedelta(days=1),
    )
    assert event.to_state == "ready_to_submit"


def test_a_later_change_voids_the_ink_signature(db_session, case_and_people):
    case, clinician, _doctor = case_and_people
    wet_signing.upload(
        db_session, clinician, case.id, expected_version=case.version, content=png_bytes()
    )
    db_session.expire_all()
    row = db_session.get(Case, case.id)
    row.home_prescription.force_lb = 10
    db_session.flush()
    voided = after_save.case_changed(db_session, row, clinician)
    db_session.commit()
    assert voided is not None and voided.method == "wet" and voided.voided_at is not None


def test_a_stale_version_or_a_signed_case_is_refused(db_session, case_and_people):
    case, clinician, _doctor = case_and_people
    with pytest.raises(signing.StaleCase):
        wet_signing.upload(
            db_session, clinician, case.id, expected_version=case.version - 1, content=png_bytes()
        )
    wet_signing.upload(
        db_session, clinician, case.id, expected_version=case.version, content=png_bytes()
    )
    with pytest.raises(signing.CannotSign, match="already signed"):
        wet_signing.upload(
            db_session, clinician, case.id, expected_version=case.version, content=png_bytes()
        )


def test_the_billing_packet_carries_the_scan_instead_of_the_unsigned_pages(
    db_session, case_and_people
):
    case, clinician, _doctor = case_and_people
    wet_signing.upload(
        db_session, clinician, case.id, expected_version=case.version, content=png_bytes()
    )
    row = documents.render_document(db_session, clinician, case.id, "packet")
    reader = PdfReader(io.BytesIO(row.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "signed in ink" in flat.lower() and "Signed in ink by Pat Rivera, MD" in flat
    assert "Awaiting signature" not in flat and "Draft: this order" not in flat
    last = reader.pages[-1]
    assert last.extract_text().strip() == ""  # the scanned page (a blank test image)


def test_the_paper_letter_names_the_therapist_who_ran_the_trial(db_session, case_and_people):
    case, clinician, _doctor = case_and_people
    for trial in case.trials:
        trial.recorded_by = clinician
    db_session.commit()
    pdf = wet_signing.print_for_ink(db_session, clinician, case.id)
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert f"under the supervision of {clinician.name}, PT" in text
