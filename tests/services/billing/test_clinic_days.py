"""Billing counts the clinic's calendar days, not UTC's: an order signed at 7:30 pm in Chicago
is dated that day on the checklist, and the CSV's times are the clinic's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dme_service.models import Case, Clinic
from dme_service.services import signing
from dme_service.services.billing import queue_csv as billing_csv
from dme_service.services.billing import readiness
from dme_service.services.clinic import clinic_time
from services.claim_cases import fake_render, stored_case

# 01:30 UTC on Dec 6 is 7:30 pm on Dec 5 in Chicago (CST, UTC-6).
EVENING_IN_CHICAGO = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)


@pytest.fixture
def chicago_people(db_session, make_user, monkeypatch):
    monkeypatch.setattr(signing, "_render_signed", fake_render)
    clinician = make_user("clinician", credential="PT")
    db_session.get(Clinic, clinician.clinic_id).timezone = "America/Chicago"
    db_session.commit()
    return {
        "clinician": clinician,
        "practitioner": make_user("practitioner", credential="MD"),
        "billing": make_user("billing"),
    }


def test_today_is_the_clinics_day_near_midnight():
    assert clinic_time.today("America/Chicago", EVENING_IN_CHICAGO) == date(2026, 12, 5)
    assert clinic_time.today("Asia/Tokyo", EVENING_IN_CHICAGO) == date(2026, 12, 6)


def test_an_order_signed_in_the_clinics_evening_is_dated_that_day(db_session, chicago_people):
    people = chicago_people
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    signing.sign(
        db_session,
        case.id,
        people["practitioner"],
        expected_version=case.version,
        now=EVENING_IN_CHICAGO,
    )
    db_session.expire_all()
    case = db_session.get(Case, case.id)
    items = {i.key: i for i in readiness.checklist(db_session, case, today=date(2026, 12, 5))}
    order_date = items["order_date"]
    assert order_date.met, order_date.detail  # UTC would say "dated 2026-12-06, after 12-05"
    assert "Ordered Dec 5, 2026" in order_date.detail
    assert "Dec 5, 2026, 7:30 PM CST" in items["signature"].detail


def test_the_csv_shows_the_last_change_on_the_clinics_clock(db_session, chicago_people):
    people = chicago_people
    case = stored_case(db_session, people["clinician"], people["practitioner"])
    case.updated_at = EVENING_IN_CHICAGO
    db_session.commit()
    text = billing_csv.queue_csv(db_session, people["billing"])
    header, row = text.splitlines()[:2]
    assert '"Last change (clinic time)"' in header
    assert '"2026-12-05 19:30"' in row
    assert "2026-12-06 01:30" not in row
