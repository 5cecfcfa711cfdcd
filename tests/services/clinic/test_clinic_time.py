"""The clinic's time zone wherever a person reads a time (issue 13)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader

from dme_service.models import Document
from dme_service.services import signing
from dme_service.services.clinic import clinic_time
from services.claim_cases import stored_case

# 7:30 pm on Dec 6 in Chicago is 01:30 on Dec 7 in UTC.
EVENING_IN_CHICAGO = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def test_one_human_format_in_the_clinics_zone():
    assert clinic_time.human_datetime(EVENING_IN_CHICAGO, "America/Chicago") == (
        "Dec 6, 2026, 7:30 PM CST"
    )
    assert clinic_time.human_datetime(EVENING_IN_CHICAGO, "Asia/Tokyo") == (
        "Dec 7, 2026, 10:30 AM JST"
    )
    assert clinic_time.human_date(date(2027, 3, 6)) == "Mar 6, 2027"
    assert clinic_time.human_date(EVENING_IN_CHICAGO, "America/Chicago") == "Dec 6, 2026"


def test_an_order_signed_at_7_pm_in_chicago_is_dated_that_day(db_session, make_user, clinic):
    clinic.timezone = "America/Chicago"
    db_session.commit()
    clinician = make_user("clinician", credential="PT")
    doctor = make_user("practitioner", credential="MD", name="Pat Rivera")
    case = stored_case(db_session, clinician, doctor)
    signature = signing.sign(
        db_session, case.id, doctor, expected_version=case.version, now=EVENING_IN_CHICAGO
    )
    assert signature.signed_at == EVENING_IN_CHICAGO  # stored in UTC
    swo = db_session.get(Document, signature.document_hashes["swo"]["document_id"])
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(swo.content)).pages).split()
    )
    assert "on December 6, 2026 at 7:30 PM CST" in text
    assert "December 7, 2026" not in text
